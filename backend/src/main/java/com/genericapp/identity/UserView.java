package com.genericapp.identity;

import java.time.OffsetDateTime;

/** A user as the API shows it: never a password or its hash. */
public record UserView(String username, Role role, OffsetDateTime createdAt, OffsetDateTime updatedAt) {
}
