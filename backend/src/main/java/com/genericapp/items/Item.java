package com.genericapp.items;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * An item as stored and as served. {@code version} increases on every change: it is the
 * ETag and the value a client sends back in {@code If-Match}. {@code createdBy} and
 * {@code updatedBy} are usernames (null for items made before there were users), kept
 * when the user is deleted.
 */
public record Item(long id, String name, @Nullable String description, long version, Instant createdAt,
        Instant updatedAt, @Nullable String createdBy, @Nullable String updatedBy) {

    String etag() {
        return "\"" + version + "\"";
    }

}
