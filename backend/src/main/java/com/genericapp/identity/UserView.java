package com.genericapp.identity;

import java.time.OffsetDateTime;

import io.swagger.v3.oas.annotations.media.Schema;

/** A user as the API shows it: never a password or its hash. */
@Schema(description = "A user (never a password or its hash)")
public record UserView(@Schema(maxLength = 64, pattern = UserController.USERNAME, example = "editor") String username,
        Role role,
        @Schema(format = "date-time", maxLength = 40, example = "2026-12-03T18:00:00.123456Z") OffsetDateTime createdAt,
        @Schema(format = "date-time", maxLength = 40,
                example = "2026-12-03T18:00:00.123456Z") OffsetDateTime updatedAt) {
}
