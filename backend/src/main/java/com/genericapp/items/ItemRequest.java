package com.genericapp.items;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotBlank;
import org.jspecify.annotations.Nullable;

/**
 * The body of a create or replace. Surrounding whitespace is removed before validation,
 * so a name of spaces is blank, and an empty description is stored as none. What remains
 * is stored exactly or refused: {@link Text} says which characters and lengths are
 * accepted.
 */
@Schema(description = "A new item, or an item's new content")
record ItemRequest(
        @Schema(description = "1 to 100 Unicode code points once surrounding whitespace is removed;"
                + " no control character, unpaired surrogate or noncharacter",
                requiredMode = Schema.RequiredMode.REQUIRED, minLength = 1, maxLength = ItemLimits.NAME_LENGTH,
                pattern = ItemLimits.ONE_LINE_PATTERN, example = "Ship it") @NotBlank(
                        message = "must not be blank") @Text(max = ItemLimits.NAME_LENGTH) @Nullable String name,
        @Schema(description = "At most 2000 Unicode code points once surrounding whitespace is removed (blank: none);"
                + " tab, line feed and carriage return are the only control characters allowed",
                maxLength = ItemLimits.DESCRIPTION_LENGTH, pattern = ItemLimits.MANY_LINES_PATTERN,
                example = "Tag the release and publish the images", nullable = true) @Text(
                        max = ItemLimits.DESCRIPTION_LENGTH, lines = Text.Lines.MANY) @Nullable String description) {

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
