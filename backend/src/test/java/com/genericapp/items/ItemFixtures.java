package com.genericapp.items;

import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** The item calls the HTTP tests make to set up and read back, written once. */
final class ItemFixtures {

    private ItemFixtures() {
    }

    /** The body of a create or replace: the description left out when it is null. */
    static Map<String, String> body(String name, @Nullable String description) {
        return (description != null) ? Map.of("name", name, "description", description) : Map.of("name", name);
    }

    /** Creates an item through the API, asserting 201, and returns it. */
    static Item create(WebTestClient http, String name, @Nullable String description) {
        Item item = http.post()
            .uri("/api/items")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(body(name, description))
            .exchange()
            .expectStatus()
            .isCreated()
            .expectBody(Item.class)
            .returnResult()
            .getResponseBody();
        assertThat(item).isNotNull();
        return item;
    }

    /** Reads an item through the API, asserting 200. */
    static Item get(WebTestClient http, long id) {
        Item item = http.get()
            .uri("/api/items/{id}", id)
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody(Item.class)
            .returnResult()
            .getResponseBody();
        assertThat(item).isNotNull();
        return item;
    }

}
