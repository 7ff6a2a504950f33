package com.genericapp.items;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * How the OpenAPI description tells the query parameters the listing and the export share
 * (springdoc reads {@link Parameter} through these), written once.
 */
final class ItemParameters {

    private ItemParameters() {
    }

    @Target(ElementType.PARAMETER)
    @Retention(RetentionPolicy.RUNTIME)
    @Parameter(
            description = "Words to find: an item matches when every whitespace-separated word of q begins a"
                    + " word of its name or description, in any order, ignoring case (\"fen gat\" finds"
                    + " \"the fence gate\"; \"ence\" does not). Punctuation separates words; a q with no letter"
                    + " or digit matches nothing. Results stay in id order, so paging and the NDJSON export"
                    + " work the same with or without q (docs/SEARCH.md). 0 to 200 Unicode code points,"
                    + " no control character",
            schema = @Schema(type = "string", maxLength = ItemLimits.QUERY_LENGTH,
                    pattern = ItemLimits.ONE_LINE_PATTERN, example = "fen gat"))
    @interface Query {

    }

    @Target(ElementType.PARAMETER)
    @Retention(RetentionPolicy.RUNTIME)
    @Parameter(description = "Only items with an id above this one (the previous page's last id)",
            schema = @Schema(type = "integer", format = "int64", minimum = "0", maximum = "9223372036854775807",
                    defaultValue = "0", example = "0"))
    @interface After {

    }

}
