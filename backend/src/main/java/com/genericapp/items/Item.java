package com.genericapp.items;

import java.time.Instant;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/**
 * An item as stored and as served. {@code version} increases on every change: it is the
 * ETag and the value a client sends back in {@code If-Match}. {@code createdBy} and
 * {@code updatedBy} are usernames (null for items made before there were users), kept
 * when the user is deleted.
 */
@Schema(description = "An item as stored")
public record Item(
        @Schema(description = "Assigned by the API, in creation order", minimum = "1", maximum = "9223372036854775807",
                example = "6") long id,
        @Schema(description = "1 to 100 Unicode code points, without surrounding whitespace", minLength = 1,
                maxLength = ItemLimits.NAME_LENGTH, pattern = ItemLimits.ONE_LINE_PATTERN,
                example = "Ship it") String name,
        @Schema(description = "At most 2000 Unicode code points; null when there is none",
                maxLength = ItemLimits.DESCRIPTION_LENGTH, pattern = ItemLimits.MANY_LINES_PATTERN,
                example = "Tag the release and publish the images", nullable = true) @Nullable String description,
        @Schema(description = "Grows by one on every change; the ETag and the value If-Match sends back", minimum = "0",
                maximum = "9223372036854775807", example = "0") long version,
        @Schema(description = "When the item was created (UTC)", format = "date-time", maxLength = 32,
                example = "2026-12-03T18:00:00.123456Z") Instant createdAt,
        @Schema(description = "When the item last changed (UTC)", format = "date-time", maxLength = 32,
                example = "2026-12-03T18:00:00.123456Z") Instant updatedAt,
        @Schema(description = "Who created it; null for items from before there were users",
                maxLength = ItemLimits.USERNAME_LENGTH, pattern = ItemLimits.USERNAME_PATTERN, example = "admin",
                nullable = true) @Nullable String createdBy,
        @Schema(description = "Who changed it last; null for items from before there were users",
                maxLength = ItemLimits.USERNAME_LENGTH, pattern = ItemLimits.USERNAME_PATTERN, example = "admin",
                nullable = true) @Nullable String updatedBy) {

    String etag() {
        return "\"" + version + "\"";
    }

}
