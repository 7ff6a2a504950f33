package com.genericapp.items;

import jakarta.validation.constraints.NotBlank;
import org.jspecify.annotations.Nullable;

/**
 * The body of a create or replace. Surrounding whitespace is removed before validation,
 * so a name of spaces is blank, and an empty description is stored as none. What remains
 * is stored exactly or refused: {@link Text} says which characters and lengths are
 * accepted.
 */
record ItemRequest(@NotBlank(message = "must not be blank") @Text(max = ItemLimits.NAME_LENGTH) @Nullable String name,
        @Text(max = ItemLimits.DESCRIPTION_LENGTH, lines = Text.Lines.MANY) @Nullable String description) {

    ItemRequest {
        name = (name != null) ? name.strip() : null;
        description = (description != null && !description.isBlank()) ? description.strip() : null;
    }

    /** Only called after validation, which guarantees a name. */
    String requiredName() {
        if (name == null) {
            throw new IllegalStateException("name is validated before use");
        }
        return name;
    }

}
