package com.genericapp.items;

import java.util.List;

import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.StringSchema;
import org.springdoc.core.customizers.OpenApiCustomizer;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The one schema of the items' description that no Java type gives: a server-sent event
 * of {@code GET /api/items/events}, as {@link ItemEvents} writes it.
 */
@Configuration(proxyBeanMethods = false)
class ItemApiDocs {

    /**
     * An event's data is an item's JSON: its texts are bounded (2100 code points in all),
     * and JSON escaping at most doubles them, so 8 KiB always holds it.
     */
    private static final int EVENT_DATA_LENGTH = 8192;

    @Bean
    OpenApiCustomizer itemEventSchema() {
        return (api) -> api.getComponents()
            .addSchemas("ItemEvent", new ObjectSchema()
                .description("One server-sent event (the text/event-stream fields event and data);"
                        + " heartbeats are comment lines")
                .addProperty("event",
                        new StringSchema()._enum(List.of("created", "updated", "deleted", "resync"))
                            .description("What happened"))
                .addProperty("data", new StringSchema().maxLength(EVENT_DATA_LENGTH)
                    .pattern("^\\{.*\\}$")
                    .description("created, updated: the Item's JSON; deleted: {\"id\":N}; resync: {\"reason\":\"…\"}")
                    .example("{\"id\":6}")));
    }

}
