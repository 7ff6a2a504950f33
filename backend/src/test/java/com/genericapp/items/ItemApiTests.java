package com.genericapp.items;

import java.time.Instant;
import java.util.Map;

import com.genericapp.testsupport.PostgresIntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

class ItemApiTests extends PostgresIntegrationTest {

    @Autowired
    WebTestClient http;

    @Test
    void createReturnsTheItemWithLocationAndEtag() {
        Item created = http.post()
            .uri("/api/items")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("name", "  Write tests  ", "description", "against a real PostgreSQL"))
            .exchange()
            .expectStatus()
            .isCreated()
            .expectHeader()
            .valueMatches(HttpHeaders.LOCATION, "/api/items/\\d+")
            .expectHeader()
            .valueEquals(HttpHeaders.ETAG, "\"0\"")
            .expectBody(Item.class)
            .returnResult()
            .getResponseBody();
        assertThat(created).isNotNull();
        assertThat(created.name()).isEqualTo("Write tests");
        assertThat(created.description()).isEqualTo("against a real PostgreSQL");
        assertThat(created.version()).isZero();
        assertThat(created.createdAt()).isBeforeOrEqualTo(Instant.now()).isEqualTo(created.updatedAt());
    }

    @Test
    void itemJsonHasTheDocumentedFieldsWithIsoUtcTimestamps() {
        long id = create("Shape", null).id();
        http.get()
            .uri("/api/items/{id}", id)
            .exchange()
            .expectStatus()
            .isOk()
            .expectHeader()
            .contentType(MediaType.APPLICATION_JSON)
            .expectBody()
            .jsonPath("$.id")
            .isEqualTo(id)
            .jsonPath("$.name")
            .isEqualTo("Shape")
            .jsonPath("$.description")
            .isEmpty()
            .jsonPath("$.version")
            .isEqualTo(0)
            .jsonPath("$.createdAt")
            .value((String value) -> assertThat(value).matches("\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z"))
            .jsonPath("$.updatedAt")
            .value((String value) -> assertThat(value).endsWith("Z"));
    }

    @Test
    void getReturnsTheItemWithItsVersionAsEtag() {
        Item item = create("Read me", "please");
        http.get()
            .uri("/api/items/{id}", item.id())
            .exchange()
            .expectStatus()
            .isOk()
            .expectHeader()
            .valueEquals(HttpHeaders.ETAG, "\"0\"")
            .expectBody(Item.class)
            .isEqualTo(item);
    }

    @Test
    void getUnknownItemIsNotFoundProblem() {
        http.get()
            .uri("/api/items/{id}", Long.MAX_VALUE - 1)
            .exchange()
            .expectStatus()
            .isNotFound()
            .expectHeader()
            .contentType(MediaType.APPLICATION_PROBLEM_JSON)
            .expectBody()
            .jsonPath("$.type")
            .isEqualTo("about:blank")
            .jsonPath("$.title")
            .isEqualTo("Item not found")
            .jsonPath("$.status")
            .isEqualTo(404)
            .jsonPath("$.detail")
            .isEqualTo("Item " + (Long.MAX_VALUE - 1) + " does not exist.")
            .jsonPath("$.instance")
            .isEqualTo("/api/items/" + (Long.MAX_VALUE - 1));
    }

    @Test
    void putReplacesNameAndDescriptionAndReturnsNewEtag() {
        Item item = create("Old", "old description");
        Item updated = http.put()
            .uri("/api/items/{id}", item.id())
            .header(HttpHeaders.IF_MATCH, "\"0\"")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("name", "New"))
            .exchange()
            .expectStatus()
            .isOk()
            .expectHeader()
            .valueEquals(HttpHeaders.ETAG, "\"1\"")
            .expectBody(Item.class)
            .returnResult()
            .getResponseBody();
        assertThat(updated).isNotNull();
        assertThat(updated.name()).isEqualTo("New");
        assertThat(updated.description()).as("replaced, not merged").isNull();
        assertThat(updated.version()).isEqualTo(1);
        assertThat(updated.updatedAt()).isAfter(item.updatedAt());
        assertThat(updated.createdAt()).isEqualTo(item.createdAt());
    }

    @Test
    void putWithoutIfMatchOverwritesWhateverVersion() {
        Item item = create("Unconditional", null);
        replace(item.id(), "First", null);
        http.put()
            .uri("/api/items/{id}", item.id())
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("name", "Second"))
            .exchange()
            .expectStatus()
            .isOk()
            .expectHeader()
            .valueEquals(HttpHeaders.ETAG, "\"2\"");
    }

    @Test
    void putWithStaleIfMatchIsPreconditionFailedAndChangesNothing() {
        Item item = create("Contested", "v0");
        replace(item.id(), "Changed by someone else", "v1");
        http.put()
            .uri("/api/items/{id}", item.id())
            .header(HttpHeaders.IF_MATCH, "\"0\"")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("name", "Mine"))
            .exchange()
            .expectStatus()
            .isEqualTo(412)
            .expectHeader()
            .contentType(MediaType.APPLICATION_PROBLEM_JSON)
            .expectBody()
            .jsonPath("$.currentVersion")
            .isEqualTo(1);
        assertThat(get(item.id()).name()).isEqualTo("Changed by someone else");
    }

    @Test
    void putUnknownItemIsNotFound() {
        http.put()
            .uri("/api/items/{id}", Long.MAX_VALUE - 2)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("name", "Ghost"))
            .exchange()
            .expectStatus()
            .isNotFound()
            .expectHeader()
            .contentType(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @Test
    void deleteRemovesTheItem() {
        Item item = create("Doomed", null);
        http.delete().uri("/api/items/{id}", item.id()).exchange().expectStatus().isNoContent();
        http.get().uri("/api/items/{id}", item.id()).exchange().expectStatus().isNotFound();
        http.delete()
            .uri("/api/items/{id}", item.id())
            .exchange()
            .expectStatus()
            .isNotFound()
            .expectHeader()
            .contentType(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @Test
    void deleteHonoursIfMatch() {
        Item item = create("Guarded", null);
        replace(item.id(), "Guarded v1", null);
        http.delete()
            .uri("/api/items/{id}", item.id())
            .header(HttpHeaders.IF_MATCH, "\"0\"")
            .exchange()
            .expectStatus()
            .isEqualTo(412);
        assertThat(get(item.id()).name()).isEqualTo("Guarded v1");
        http.delete()
            .uri("/api/items/{id}", item.id())
            .header(HttpHeaders.IF_MATCH, "\"1\"")
            .exchange()
            .expectStatus()
            .isNoContent();
    }

    @Test
    void ifMatchStarMeansAnyCurrentVersion() {
        Item item = create("Starred", null);
        http.put()
            .uri("/api/items/{id}", item.id())
            .header(HttpHeaders.IF_MATCH, "*")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("name", "Starred v1"))
            .exchange()
            .expectStatus()
            .isOk();
    }

    @Test
    void requestIdIsReturnedOrGenerated() {
        http.get()
            .uri("/api/items?limit=1")
            .header("X-Request-ID", "abc-123")
            .exchange()
            .expectHeader()
            .valueEquals("X-Request-ID", "abc-123");
        http.get().uri("/api/items?limit=1").exchange().expectHeader().valueMatches("X-Request-ID", "[0-9a-f-]{36}");
        http.get()
            .uri("/api/items?limit=1")
            .header("X-Request-ID", "bad id; x")
            .exchange()
            .expectHeader()
            .valueMatches("X-Request-ID", "[0-9a-f-]{36}");
    }

    @Test
    void openApiDescriptionIsServed() {
        http.get()
            .uri("/v3/api-docs")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody()
            .jsonPath("$.openapi")
            .value((String version) -> assertThat(version).startsWith("3."))
            .jsonPath("$.paths['/api/items']")
            .exists()
            .jsonPath("$.paths['/api/items/{id}']")
            .exists();
    }

    private Item create(String name, String description) {
        return ItemFixtures.create(http, name, description);
    }

    private void replace(long id, String name, String description) {
        http.put()
            .uri("/api/items/{id}", id)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(ItemFixtures.body(name, description))
            .exchange()
            .expectStatus()
            .isOk();
    }

    private Item get(long id) {
        return ItemFixtures.get(http, id);
    }

}
