package com.genericapp.items;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.genericapp.testsupport.PostgresIntegrationTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every bad request gets a 4xx application/problem+json that says what is wrong, never a 500, never
 * a stack trace, class name or SQL, and the data is left exactly as it was.
 */
class ItemBadInputTests extends PostgresIntegrationTest {

    @Autowired
    WebTestClient http;

    private Item victim;

    @BeforeEach
    void createVictim() {
        victim = http.post().uri("/api/items").contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("name", "Untouchable", "description", "stays as it is"))
            .exchange().expectStatus().isCreated().expectBody(Item.class).returnResult().getResponseBody();
    }

    static Stream<Arguments> badBodies() {
        return Stream.of(
                Arguments.of("malformed JSON", "{\"name\": ", 400, null),
                Arguments.of("not an object", "[1, 2]", 400, null),
                Arguments.of("empty body", "", 400, null),
                Arguments.of("name of wrong type", "{\"name\": 42}", 400, "name"),
                Arguments.of("name as boolean", "{\"name\": true}", 400, "name"),
                Arguments.of("name as object", "{\"name\": {\"x\": 1}}", 400, "name"),
                Arguments.of("description of wrong type", "{\"name\": \"ok\", \"description\": 1.5}", 400,
                        "description"),
                Arguments.of("unknown field", "{\"name\": \"ok\", \"owner\": \"me\"}", 400, "owner"),
                Arguments.of("client-chosen id", "{\"id\": 1, \"name\": \"ok\"}", 400, "id"),
                Arguments.of("missing name", "{\"description\": \"no name\"}", 400, "name"),
                Arguments.of("null name", "{\"name\": null}", 400, "name"),
                Arguments.of("blank name", "{\"name\": \"   \"}", 400, "name"),
                Arguments.of("name too long", "{\"name\": \"" + "n".repeat(101) + "\"}", 400, "name"),
                Arguments.of("description too long",
                        "{\"name\": \"ok\", \"description\": \"" + "d".repeat(2001) + "\"}", 400, "description"));
    }

    @ParameterizedTest(name = "create with {0} is {2}")
    @MethodSource("badBodies")
    void createRejectsBadBodyWithProblemDetail(String what, String body, int status, String field) {
        long before = countItems();
        EntityExchangeResult<byte[]> result = http.post().uri("/api/items").contentType(MediaType.APPLICATION_JSON)
            .bodyValue(body).exchange().expectStatus().isEqualTo(status).expectBody().returnResult();
        assertProblem(result, status, field);
        assertThat(countItems()).as("nothing created").isEqualTo(before);
    }

    @ParameterizedTest(name = "replace with {0} is {2}")
    @MethodSource("badBodies")
    void replaceRejectsBadBodyAndLeavesTheItemAsItWas(String what, String body, int status, String field) {
        EntityExchangeResult<byte[]> result = http.put().uri("/api/items/{id}", victim.id())
            .contentType(MediaType.APPLICATION_JSON).bodyValue(body)
            .exchange().expectStatus().isEqualTo(status).expectBody().returnResult();
        assertProblem(result, status, field);
        assertUnchanged();
    }

    @Test
    void nameAtTheLimitsIsAccepted() {
        http.post().uri("/api/items").contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("name", "n".repeat(100), "description", "é".repeat(2000)))
            .exchange().expectStatus().isCreated();
    }

    @Test
    void wrongContentTypeIsUnsupportedMediaType() {
        EntityExchangeResult<byte[]> result = http.post().uri("/api/items").contentType(MediaType.TEXT_PLAIN)
            .bodyValue("name=x").exchange().expectStatus().isEqualTo(415).expectBody().returnResult();
        assertProblem(result, 415, null);
    }

    @Test
    void bodyOver64KibIsContentTooLarge() {
        String huge = "{\"name\": \"ok\", \"description\": \"" + "x".repeat(70 * 1024) + "\"}";
        EntityExchangeResult<byte[]> result = http.put().uri("/api/items/{id}", victim.id())
            .contentType(MediaType.APPLICATION_JSON).bodyValue(huge)
            .exchange().expectStatus().isEqualTo(413).expectBody().returnResult();
        assertProblem(result, 413, null);
        assertUnchanged();
    }

    static Stream<Arguments> badQueries() {
        return Stream.of(Arguments.of("limit=0", "limit"), Arguments.of("limit=501", "limit"),
                Arguments.of("limit=-1", "limit"), Arguments.of("limit=ten", "limit"),
                Arguments.of("after=-5", "after"), Arguments.of("after=abc", "after"),
                Arguments.of("after=1.5", "after"), Arguments.of("q=" + "q".repeat(201), "q"));
    }

    @ParameterizedTest(name = "list with {0} is 400")
    @MethodSource("badQueries")
    void listRejectsInvalidParameters(String query, String field) {
        EntityExchangeResult<byte[]> result = http.get().uri("/api/items?" + query).exchange()
            .expectStatus().isBadRequest().expectBody().returnResult();
        assertProblem(result, 400, field);
    }

    @Test
    void nonNumericIdIsBadRequest() {
        EntityExchangeResult<byte[]> result = http.get().uri("/api/items/abc").exchange()
            .expectStatus().isBadRequest().expectBody().returnResult();
        assertProblem(result, 400, null);
    }

    @Test
    void staleIfMatchIsPreconditionFailedAndChangesNothing() {
        http.put().uri("/api/items/{id}", victim.id()).header(HttpHeaders.IF_MATCH, "\"7\"")
            .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "Overwritten"))
            .exchange().expectStatus().isEqualTo(412)
            .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        http.delete().uri("/api/items/{id}", victim.id()).header(HttpHeaders.IF_MATCH, "\"7\"")
            .exchange().expectStatus().isEqualTo(412);
        assertUnchanged();
    }

    @Test
    void malformedIfMatchIsBadRequest() {
        EntityExchangeResult<byte[]> result = http.put().uri("/api/items/{id}", victim.id())
            .header(HttpHeaders.IF_MATCH, "W/\"0\"").contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("name", "Overwritten")).exchange()
            .expectStatus().isBadRequest().expectBody().returnResult();
        assertProblem(result, 400, null);
        assertUnchanged();
    }

    @Test
    void unknownRouteIsNotFoundProblem() {
        assertProblem(http.get().uri("/api/nothing-here").exchange().expectStatus().isNotFound().expectBody()
            .returnResult(), 404, null);
        assertProblem(http.get().uri("/").exchange().expectStatus().isNotFound().expectBody().returnResult(), 404,
                null);
    }

    @Test
    void wrongMethodIsMethodNotAllowedProblem() {
        EntityExchangeResult<byte[]> result = http.method(HttpMethod.PATCH).uri("/api/items/{id}", victim.id())
            .contentType(MediaType.APPLICATION_JSON).bodyValue("{}")
            .exchange().expectStatus().isEqualTo(405).expectBody().returnResult();
        assertProblem(result, 405, null);
        assertUnchanged();
    }

    @Test
    void unacceptableMediaTypeIsNotAcceptableProblem() {
        EntityExchangeResult<byte[]> result = http.get().uri("/api/items").accept(MediaType.TEXT_HTML)
            .exchange().expectStatus().isEqualTo(406).expectBody().returnResult();
        assertProblem(result, 406, null);
    }

    private void assertProblem(EntityExchangeResult<byte[]> result, int status, String field) {
        assertThat(result.getResponseHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        String body = new String(result.getResponseBodyContent() == null ? new byte[0] : result.getResponseBodyContent());
        assertThat(body).contains("\"status\":" + status)
            .contains("\"type\":")
            .contains("\"title\":")
            .contains("\"detail\":")
            .contains("\"instance\":");
        // nothing from inside the server reaches the client
        assertThat(body).doesNotContainIgnoringCase("exception")
            .doesNotContain("com.genericapp")
            .doesNotContain("tools.jackson")
            .doesNotContain("\tat ")
            .doesNotContainIgnoringCase("select ")
            .doesNotContainIgnoringCase("insert into")
            .doesNotContain("items_");
        if (field != null) {
            assertThat(body).contains("\"errors\":").contains("\"field\":\"" + field + "\"");
        }
    }

    private void assertUnchanged() {
        http.get().uri("/api/items/{id}", victim.id()).exchange()
            .expectStatus().isOk()
            .expectBody(Item.class).isEqualTo(victim);
    }

    private long countItems() {
        List<String> lines = http.get().uri("/api/items").accept(MediaType.APPLICATION_NDJSON).exchange()
            .expectStatus().isOk().returnResult(String.class).getResponseBody().collectList().block();
        return (lines != null) ? lines.size() : 0;
    }

}
