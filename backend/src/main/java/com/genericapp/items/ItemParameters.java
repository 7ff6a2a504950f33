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
            description = "Matches name or description, case-insensitively; 0 to 200 Unicode code points,"
                    + " no control character",
            schema = @Schema(type = "string", maxLength = ItemLimits.QUERY_LENGTH,
                    pattern = ItemLimits.ONE_LINE_PATTERN, example = "ship"))
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
