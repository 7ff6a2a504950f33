package com.genericapp.items;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * An item as stored and as served. {@code version} increases on every change: it is the
 * ETag and the value a client sends back in {@code If-Match}.
 */
public record Item(long id, String name, @Nullable String description, long version, Instant createdAt,
        Instant updatedAt) {

    String etag() {
        return "\"" + version + "\"";
    }

}
