package com.genericapp.items;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;

/**
 * The body of a create or replace. Surrounding whitespace is removed before validation, so a name
 * of spaces is blank, and an empty description is stored as none.
 */
record ItemRequest(@NotBlank(message = "must not be blank") @Size(max = 100, message = "must be at most 100 characters") @Nullable String name,
        @Size(max = 2000, message = "must be at most 2000 characters") @Nullable String description) {

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
