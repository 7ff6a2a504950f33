package com.genericapp.bench.peer;

import java.time.Instant;

/**
 * The API's item (backend's com.genericapp.items.Item), field for field, so that both
 * serve the same JSON bytes (bench/run compares them before it measures).
 */
record Item(long id, String name, String description, long version, Instant createdAt, Instant updatedAt,
        String createdBy, String updatedBy) {

    String etag() {
        return "\"" + version + "\"";
    }

}
