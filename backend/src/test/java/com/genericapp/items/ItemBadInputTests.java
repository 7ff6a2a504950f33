package com.genericapp.items;

import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.genericapp.testsupport.PostgresIntegrationTest;
import com.genericapp.testsupport.TestPostgres;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every bad request gets a 4xx application/problem+json that says what is wrong, never a
 * 500, never a stack trace, class name or SQL, and the data is left exactly as it was.
 */
class ItemBadInputTests extends PostgresIntegrationTest {

    /** 100 code points, but 200 UTF-16 units: the limit counts what PostgreSQL counts. */
    private static final String HUNDRED_EMOJI = "\uD83D\uDE00".repeat(100);

    @Autowired
    WebTestClient http;

    @LocalServerPort
    int port;

    private Item victim;

    @BeforeEach
    void createVictim() {
        victim = ItemFixtures.create(http, "Untouchable", "stays as it is");
    }

    static Stream<Arguments> badBodies() {
        return Stream.of(Arguments.of("malformed JSON", "{\"name\": ", 400, null),
                Arguments.of("not an object", "[1, 2]", 400, null), Arguments.of("empty body", "", 400, null),
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
                        "{\"name\": \"ok\", \"description\": \"" + "d".repeat(2001) + "\"}", 400, "description"),
                Arguments.of("NUL in name", "{\"name\": \"a\\u0000b\"}", 400, "name"),
                Arguments.of("NUL in description", "{\"name\": \"ok\", \"description\": \"a\\u0000\"}", 400,
                        "description"),
                Arguments.of("lone high surrogate in name", "{\"name\": \"a\\ud800b\"}", 400, "name"),
                Arguments.of("lone low surrogate in description", "{\"name\": \"ok\", \"description\": \"\\udc00 x\"}",
                        400, "description"),
                Arguments.of("noncharacter U+FFFE in name", "{\"name\": \"a\\ufffe\"}", 400, "name"),
                Arguments.of("noncharacter U+FDD0 in description", "{\"name\": \"ok\", \"description\": \"\\ufdd0\"}",
                        400, "description"),
                Arguments.of("control character in name", "{\"name\": \"a\\u0007b\"}", 400, "name"),
                Arguments.of("tab inside a name", "{\"name\": \"a\\tb\"}", 400, "name"),
                Arguments.of("C1 control in name", "{\"name\": \"a\\u0085b\"}", 400, "name"),
                Arguments.of("escape character in description",
                        "{\"name\": \"ok\", \"description\": \"\\u001b[31m red\"}", 400, "description"),
                Arguments.of("101 emoji as name", "{\"name\": \"" + HUNDRED_EMOJI + "\uD83D\uDE00\"}", 400, "name"),
                Arguments.of("2001 emoji as description",
                        "{\"name\": \"ok\", \"description\": \"" + "\uD83D\uDE00".repeat(2001) + "\"}", 400,
                        "description"),
                Arguments.of("duplicate key", "{\"name\": \"first\", \"name\": \"second\"}", 400, null),
                Arguments.of("duplicate key, one null",
                        "{\"name\": \"ok\", \"description\": null, \"description\": \"x\"}", 400, null),
                Arguments.of("a second object after the first", "{\"name\": \"a\"} {\"name\": \"b\"}", 400, null),
                Arguments.of("a word after the object", "{\"name\": \"a\"} trailing", 400, null),
                Arguments.of("a bracket after the object", "{\"name\": \"a\"}]", 400, null));
    }

    /**
     * Bytes that are not UTF-8, inside the name's string: 0xFF, a lone continuation, a
     * cut sequence, a surrogate encoded on its own (CESU-8), an overlong NUL.
     */
    static Stream<Arguments> notUtf8() {
        return Stream.of(Arguments.of("FF"), Arguments.of("80"), Arguments.of("E282"), Arguments.of("EDA080"),
                Arguments.of("C080"), Arguments.of("F4908080"));
    }

    @ParameterizedTest(name = "create with bytes {0} in the name is 400")
    @MethodSource("notUtf8")
    void createRejectsBodyThatIsNotUtf8(String hex) {
        long before = countItems();
        EntityExchangeResult<byte[]> result = http.post()
            .uri("/api/items")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(nameWithBytes(hex))
            .exchange()
            .expectStatus()
            .isBadRequest()
            .expectBody()
            .returnResult();
        assertProblem(result, 400, null);
        assertThat(countItems()).as("nothing created").isEqualTo(before);
    }

    @ParameterizedTest(name = "replace with bytes {0} in the name is 400")
    @MethodSource("notUtf8")
    void replaceRejectsBodyThatIsNotUtf8(String hex) {
        EntityExchangeResult<byte[]> result = http.put()
            .uri("/api/items/{id}", victim.id())
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(nameWithBytes(hex))
            .exchange()
            .expectStatus()
            .isBadRequest()
            .expectBody()
            .returnResult();
        assertProblem(result, 400, null);
        assertUnchanged();
    }

    static Stream<Arguments> exactTexts() {
        return Stream.of(Arguments.of("100 emoji and 2000 emoji", HUNDRED_EMOJI, "\uD83D\uDE00".repeat(2000)),
                Arguments.of("tab, newline and CR inside a description", "Lines", "one\ttab\r\ntwo\nthree"),
                Arguments.of("joiners, marks and astral letters",
                        "\uD83D\uDC69\u200D\uD83D\uDCBB \u202Eabc \uD801\uDC00", "e\u0301 \u00A0 \uFFFD \uE000"));
    }

    @ParameterizedTest(name = "{0} are stored exactly")
    @MethodSource("exactTexts")
    void acceptedTextIsStoredAndReturnedExactly(String what, String name, String description) {
        Item created = http.post()
            .uri("/api/items")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("name", name, "description", description))
            .exchange()
            .expectStatus()
            .isCreated()
            .expectBody(Item.class)
            .returnResult()
            .getResponseBody();
        assertThat(created).isNotNull();
        assertThat(created.name()).isEqualTo(name);
        assertThat(created.description()).isEqualTo(description);
        http.get()
            .uri("/api/items/{id}", created.id())
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody(Item.class)
            .isEqualTo(created);
    }

    @ParameterizedTest(name = "create with {0} is {2}")
    @MethodSource("badBodies")
    void createRejectsBadBodyWithProblemDetail(String what, String body, int status, String field) {
        long before = countItems();
        EntityExchangeResult<byte[]> result = http.post()
            .uri("/api/items")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(body)
            .exchange()
            .expectStatus()
            .isEqualTo(status)
            .expectBody()
            .returnResult();
        assertProblem(result, status, field);
        assertThat(countItems()).as("nothing created").isEqualTo(before);
    }

    @ParameterizedTest(name = "replace with {0} is {2}")
    @MethodSource("badBodies")
    void replaceRejectsBadBodyAndLeavesTheItemAsItWas(String what, String body, int status, String field) {
        EntityExchangeResult<byte[]> result = http.put()
            .uri("/api/items/{id}", victim.id())
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(body)
            .exchange()
            .expectStatus()
            .isEqualTo(status)
            .expectBody()
            .returnResult();
        assertProblem(result, status, field);
        assertUnchanged();
    }

    /**
     * The detail names what the body's type accepts and expects; the words come from the
     * type, not a hand list.
     */
    static Stream<Arguments> explainedBodies() {
        return Stream.of(
                Arguments.of("{\"name\": \"ok\", \"owner\": \"me\"}",
                        "Field 'owner' is not accepted here; the fields are description, name."),
                Arguments.of("{\"name\": 42}", "Field 'name' has the wrong type: it must be a string."),
                Arguments.of("{\"name\": \"ok\", \"description\": [1]}",
                        "Field 'description' has the wrong type: it must be a string."),
                Arguments.of("{\"name\": \"first\", \"name\": \"second\"}",
                        "Field 'name' appears more than once; send each field once."));
    }

    @ParameterizedTest(name = "create with {0} says why")
    @MethodSource("explainedBodies")
    void badBodyDetailSaysWhatTheTypeAccepts(String body, String detail) {
        http.post()
            .uri("/api/items")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(body)
            .exchange()
            .expectStatus()
            .isBadRequest()
            .expectBody()
            .jsonPath("$.detail")
            .isEqualTo(detail);
    }

    /**
     * A body in another Unicode encoding, declared as such, is decoded as declared: the
     * text is kept exactly.
     */
    @ParameterizedTest(name = "a body in {0} keeps its text")
    @ValueSource(strings = { "UTF-16", "UTF-16LE", "UTF-32" })
    void bodyInAnotherUnicodeEncodingKeepsItsText(String charset) {
        String name = "Café \uD83D\uDE00 " + charset;
        byte[] body = ("{\"name\": \"" + name + "\"}").getBytes(Charset.forName(charset));
        Item created = http.post()
            .uri("/api/items")
            .header(HttpHeaders.CONTENT_TYPE, "application/json; charset=" + charset)
            .bodyValue(body)
            .exchange()
            .expectStatus()
            .isCreated()
            .expectBody(Item.class)
            .returnResult()
            .getResponseBody();
        assertThat(created).isNotNull();
        assertThat(created.name()).isEqualTo(name);
    }

    @Test
    void nameAtTheLimitsIsAccepted() {
        Item created = ItemFixtures.create(http, "n".repeat(100), "é".repeat(2000));
        Item stored = ItemFixtures.get(http, created.id());
        assertThat(stored.name()).isEqualTo("n".repeat(100));
        assertThat(stored.description()).isEqualTo("é".repeat(2000));
    }

    @Test
    void anIdBelowOneOrAnOverlongIfMatchIsA400Problem() {
        for (String id : List.of("0", "-1", "9223372036854775808")) {
            http.get()
                .uri("/api/items/" + id)
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectHeader()
                .contentType(MediaType.APPLICATION_PROBLEM_JSON);
        }
        http.delete()
            .uri("/api/items/" + victim.id())
            .header(HttpHeaders.IF_MATCH, "\"1\"" + ", \"2\"".repeat(20))
            .exchange()
            .expectStatus()
            .isBadRequest()
            .expectBody()
            .jsonPath("$.title")
            .isEqualTo("Invalid If-Match header");
    }

    @Test
    void wrongContentTypeIsUnsupportedMediaType() {
        EntityExchangeResult<byte[]> result = http.post()
            .uri("/api/items")
            .contentType(MediaType.TEXT_PLAIN)
            .bodyValue("name=x")
            .exchange()
            .expectStatus()
            .isEqualTo(415)
            .expectBody()
            .returnResult();
        assertProblem(result, 415, null);
    }

    @Test
    void bodyOver64KibIsContentTooLarge() {
        String huge = "{\"name\": \"ok\", \"description\": \"" + "x".repeat(70 * 1024) + "\"}";
        EntityExchangeResult<byte[]> result = http.put()
            .uri("/api/items/{id}", victim.id())
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(huge)
            .exchange()
            .expectStatus()
            .isEqualTo(413)
            .expectBody()
            .returnResult();
        assertProblem(result, 413, null);
        assertThat(new String(result.getResponseBodyContent(), StandardCharsets.UTF_8))
            .contains("\"detail\":\"The request body is too large (at most 64 KiB).\"");
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
        EntityExchangeResult<byte[]> result = http.get()
            .uri("/api/items?" + query)
            .exchange()
            .expectStatus()
            .isBadRequest()
            .expectBody()
            .returnResult();
        assertProblem(result, 400, field);
    }

    /** Already percent-encoded, sent as they are. */
    static Stream<Arguments> hostileSearches() {
        return Stream.of(Arguments.of("NUL", "q=a%00b"), Arguments.of("a control character", "q=a%07"),
                Arguments.of("a lone surrogate (CESU-8)", "q=%ED%A0%80"), Arguments.of("byte 0xFF", "q=%FF"),
                Arguments.of("a cut sequence", "q=%E2%82"), Arguments.of("the noncharacter U+FFFE", "q=%EF%BF%BE"),
                Arguments.of("201 emoji", "q=" + "%F0%9F%98%80".repeat(201)));
    }

    @ParameterizedTest(name = "search with {0} is 400")
    @MethodSource("hostileSearches")
    void searchRejectsHostileTextWithProblemDetail(String what, String query) {
        for (MediaType type : new MediaType[] { MediaType.APPLICATION_JSON, MediaType.APPLICATION_NDJSON }) {
            EntityExchangeResult<byte[]> result = http.get()
                .uri(URI.create(base() + "/api/items?" + query))
                .accept(type)
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .returnResult();
            assertProblem(result, 400, "q");
        }
    }

    @Test
    void searchForTwoHundredEmojiIsAccepted() {
        http.get()
            .uri(URI.create(base() + "/api/items?q=" + "%F0%9F%98%80".repeat(200)))
            .exchange()
            .expectStatus()
            .isOk();
    }

    @Test
    void nonNumericIdIsBadRequest() {
        EntityExchangeResult<byte[]> result = http.get()
            .uri("/api/items/abc")
            .exchange()
            .expectStatus()
            .isBadRequest()
            .expectBody()
            .returnResult();
        assertProblem(result, 400, null);
    }

    @Test
    void staleIfMatchIsPreconditionFailedAndChangesNothing() {
        http.put()
            .uri("/api/items/{id}", victim.id())
            .header(HttpHeaders.IF_MATCH, "\"7\"")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("name", "Overwritten"))
            .exchange()
            .expectStatus()
            .isEqualTo(412)
            .expectHeader()
            .contentType(MediaType.APPLICATION_PROBLEM_JSON);
        http.delete()
            .uri("/api/items/{id}", victim.id())
            .header(HttpHeaders.IF_MATCH, "\"7\"")
            .exchange()
            .expectStatus()
            .isEqualTo(412);
        assertUnchanged();
    }

    @Test
    void malformedIfMatchIsBadRequest() {
        EntityExchangeResult<byte[]> result = http.put()
            .uri("/api/items/{id}", victim.id())
            .header(HttpHeaders.IF_MATCH, "W/\"0\"")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("name", "Overwritten"))
            .exchange()
            .expectStatus()
            .isBadRequest()
            .expectBody()
            .returnResult();
        assertProblem(result, 400, null);
        assertUnchanged();
    }

    @Test
    void unknownRouteIsNotFoundProblem() {
        assertProblem(
                http.get().uri("/api/nothing-here").exchange().expectStatus().isNotFound().expectBody().returnResult(),
                404, null);
        assertProblem(http.get().uri("/").exchange().expectStatus().isNotFound().expectBody().returnResult(), 404,
                null);
    }

    @Test
    void wrongMethodIsMethodNotAllowedProblem() {
        EntityExchangeResult<byte[]> result = http.method(HttpMethod.PATCH)
            .uri("/api/items/{id}", victim.id())
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{}")
            .exchange()
            .expectStatus()
            .isEqualTo(405)
            .expectBody()
            .returnResult();
        assertProblem(result, 405, null);
        assertUnchanged();
    }

    @Test
    void unacceptableMediaTypeIsNotAcceptableProblem() {
        EntityExchangeResult<byte[]> result = http.get()
            .uri("/api/items")
            .accept(MediaType.TEXT_HTML)
            .exchange()
            .expectStatus()
            .isEqualTo(406)
            .expectBody()
            .returnResult();
        assertProblem(result, 406, null);
    }

    private void assertProblem(EntityExchangeResult<byte[]> result, int status, String field) {
        assertThat(result.getResponseHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        String body = new String(
                result.getResponseBodyContent() == null ? new byte[0] : result.getResponseBodyContent());
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
        http.get()
            .uri("/api/items/{id}", victim.id())
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody(Item.class)
            .isEqualTo(victim);
    }

    private String base() {
        return "http://localhost:" + port;
    }

    /** {"name": "a<bytes>b"} with the given bytes, written raw. */
    private static byte[] nameWithBytes(String hex) {
        byte[] head = "{\"name\": \"a".getBytes(StandardCharsets.US_ASCII);
        byte[] middle = HexFormat.of().parseHex(hex);
        byte[] tail = "b\"}".getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[head.length + middle.length + tail.length];
        System.arraycopy(head, 0, body, 0, head.length);
        System.arraycopy(middle, 0, body, head.length, middle.length);
        System.arraycopy(tail, 0, body, head.length + middle.length, tail.length);
        return body;
    }

    /** One count(*) rather than streaming every row through the API. */
    private static long countItems() {
        try (Connection connection = TestPostgres.shared().superuser();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT count(*) FROM items")) {
            rows.next();
            return rows.getLong(1);
        }
        catch (SQLException ex) {
            throw new IllegalStateException(ex);
        }
    }

}
