package com.genericapp.items;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import com.genericapp.testsupport.PostgresIntegrationTest;
import net.jqwik.api.AfterFailureMode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestContextManager;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whatever text a client sends is stored exactly (after stripping surrounding whitespace)
 * or refused with a problem, never a 500. jqwik is not Spring-aware: the application
 * comes from Spring's own test context cache, through the configuration of the Jupiter
 * tests (so it is the same running application, started once per JVM).
 */
class ItemInputPropertyTests {

    private static WebTestClient http;

    private static String base;

    @BeforeContainer
    static void application() throws Exception {
        ApplicationContext context = new TestContextManager(SameApplication.class).getTestContext()
            .getApplicationContext();
        http = context.getBean(WebTestClient.class);
        base = "http://localhost:" + context.getEnvironment().getProperty("local.server.port");
    }

    @Property(tries = 150, seed = "20261201", afterFailure = AfterFailureMode.SAMPLE_ONLY)
    void createStoresExactlyOrRefusesWithProblem(@ForAll("texts") String name, @ForAll("texts") String description) {
        EntityExchangeResult<byte[]> result = http.post()
            .uri("/api/items")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(json(name, description))
            .exchange()
            .expectBody()
            .returnResult();
        checkWrite(result, name, description);
    }

    @Property(tries = 100, seed = "20261202", afterFailure = AfterFailureMode.SAMPLE_ONLY)
    void replaceStoresExactlyOrRefusesWithProblem(@ForAll("texts") String name, @ForAll("texts") String description) {
        Item target = http.post()
            .uri("/api/items")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("name", "target"))
            .exchange()
            .expectBody(Item.class)
            .returnResult()
            .getResponseBody();
        assertThat(target).isNotNull();
        EntityExchangeResult<byte[]> result = http.put()
            .uri("/api/items/{id}", target.id())
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(json(name, description))
            .exchange()
            .expectBody()
            .returnResult();
        if (result.getStatus().is4xxClientError()) {
            http.get().uri("/api/items/{id}", target.id()).exchange().expectBody(Item.class).isEqualTo(target);
        }
        checkWrite(result, name, description);
    }

    @Property(tries = 100, seed = "20261203", afterFailure = AfterFailureMode.SAMPLE_ONLY)
    void bodyOfAnyBytesIsNeverAServerError(@ForAll("bodies") byte[] body) {
        EntityExchangeResult<byte[]> result = http.post()
            .uri("/api/items")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(body)
            .exchange()
            .expectBody()
            .returnResult();
        assertThat(result.getStatus().value()).isLessThan(500);
        if (result.getStatus().is4xxClientError()) {
            assertThat(result.getResponseHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        }
    }

    @Property(tries = 150, seed = "20261204", afterFailure = AfterFailureMode.SAMPLE_ONLY)
    void searchAnswersOrRefusesWithProblem(@ForAll("queries") String q) {
        EntityExchangeResult<byte[]> result = http.get()
            .uri(URI.create(base + "/api/items?limit=1&q=" + percentEncoded(q)))
            .exchange()
            .expectBody()
            .returnResult();
        // q is checked as sent (its whitespace is stripped only for the search itself)
        boolean acceptable = acceptable(q, 200, false);
        assertThat(result.getStatus().value()).as("status").isEqualTo(acceptable ? 200 : 400);
        if (!acceptable) {
            assertThat(result.getResponseHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
            assertThat(new String(result.getResponseBodyContent(), StandardCharsets.UTF_8)).contains("\"field\":\"q\"");
        }
    }

    /**
     * Sent name and description against the documented rule, written here independently
     * of the code under test.
     */
    private static void checkWrite(EntityExchangeResult<byte[]> result, String name, String description) {
        String expectedName = name.strip();
        @Nullable String expectedDescription = description.isBlank() ? null : description.strip();
        boolean acceptable = !expectedName.isEmpty() && acceptable(expectedName, 100, false)
                && (expectedDescription == null || acceptable(expectedDescription, 2000, true));
        int status = result.getStatus().value();
        assertThat(status).as("status").isLessThan(500);
        if (!acceptable) {
            assertThat(status).as("status of a refused text").isEqualTo(400);
            assertThat(result.getResponseHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
            assertThat(new String(result.getResponseBodyContent(), StandardCharsets.UTF_8)).contains("\"errors\":");
            return;
        }
        assertThat(status).as("status of an acceptable text").isBetween(200, 201);
        Item sent = readItem(result);
        assertThat(sent.name()).isEqualTo(expectedName);
        assertThat(sent.description()).isEqualTo(expectedDescription);
        http.get()
            .uri("/api/items/{id}", sent.id())
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody(Item.class)
            .isEqualTo(sent);
    }

    private static Item readItem(EntityExchangeResult<byte[]> result) {
        return tools.jackson.databind.json.JsonMapper.builder()
            .findAndAddModules()
            .build()
            .readValue(result.getResponseBodyContent(), Item.class);
    }

    private static boolean acceptable(String text, int max, boolean multiline) {
        int count = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, text.charAt(++i));
                if ((cp & 0xFFFE) == 0xFFFE) {
                    return false;
                }
            }
            else if (Character.isSurrogate(c) || c == 0 || (c >= 0xFDD0 && c <= 0xFDEF) || c >= 0xFFFE) {
                return false;
            }
            else if ((c < 0x20 || (c >= 0x7F && c <= 0x9F)) && !(multiline && (c == '\t' || c == '\n' || c == '\r'))) {
                return false;
            }
            count++;
        }
        return count <= max;
    }

    /**
     * Hostile text: any UTF-16 unit (lone surrogates, NUL, controls, noncharacters),
     * emoji, whitespace.
     */
    @Provide
    Arbitrary<String> texts() {
        Arbitrary<String> piece = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(5)),
                net.jqwik.api.Tuple.of(2, Arbitraries.of(" ", "\t", "\n", "\r", "\u00A0", "\u2028", "\u001F")),
                net.jqwik.api.Tuple.of(2, Arbitraries.chars().all().map(String::valueOf)),
                net.jqwik.api.Tuple.of(1,
                        Arbitraries.of("\u0000", "\u0007", "\u0085", "\uFFFE", "\uFDD0", "\uD800", "\uDFFF",
                                "\uDBFF\uDFFF")),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0x10000, 0x10FFFF).map(Character::toString)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("\uD83D\uDE00".repeat(100), "\uD83D\uDE00".repeat(101),
                        "x".repeat(200), "x".repeat(2001))));
        return piece.list().ofMaxSize(12).map((pieces) -> String.join("", pieces));
    }

    /**
     * Hostile queries that fit Reactor Netty's request line (4096 bytes): a longer one is
     * refused with 414 before the API sees it, which KeepAliveTests checks with a raw
     * socket.
     */
    @Provide
    Arbitrary<String> queries() {
        return texts().filter((q) -> base.length() + percentEncoded(q).length() < 3_900);
    }

    /** A valid body, cut, doubled, with a byte flipped, or followed by something. */
    @Provide
    Arbitrary<byte[]> bodies() {
        Arbitrary<byte[]> valid = texts().map((text) -> json(text, text));
        return net.jqwik.api.Combinators
            .combine(valid, Arbitraries.integers().between(0, 5), Arbitraries.integers().between(0, 255),
                    Arbitraries.integers().between(0, 1000))
            .as((body, mutation, value, position) -> mutate(body, mutation, (byte) (int) value,
                    position % Math.max(1, body.length)));
    }

    private static byte[] mutate(byte[] body, int mutation, byte value, int position) {
        String text = new String(body, StandardCharsets.ISO_8859_1);
        String mutated = switch (mutation) {
            case 0 -> text.substring(0, position);
            case 1 -> text + text;
            case 2 -> text.substring(0, position) + (char) (value & 0xFF) + text.substring(position);
            case 3 -> text.replace("}", ",\"name\":\"again\"}");
            case 4 -> text + " x";
            default -> text;
        };
        return mutated.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * JSON with every character written as an escape, so lone surrogates reach the server
     * as sent.
     */
    private static byte[] json(String name, String description) {
        return ("{\"name\":\"" + escaped(name) + "\",\"description\":\"" + escaped(description) + "\"}")
            .getBytes(StandardCharsets.US_ASCII);
    }

    private static String escaped(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            out.append(String.format("\\u%04x", (int) c));
        }
        return out.toString();
    }

    /**
     * UTF-8, percent-encoded; a lone surrogate is written as its own three bytes
     * (CESU-8), which is not UTF-8.
     */
    private static String percentEncoded(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length();) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            byte[] bytes = Character.isSurrogate((char) cp) && cp <= 0xFFFF ? new byte[] { (byte) (0xE0 | (cp >> 12)),
                    (byte) (0x80 | ((cp >> 6) & 0x3F)), (byte) (0x80 | (cp & 0x3F)) }
                    : Character.toString(cp).getBytes(StandardCharsets.UTF_8);
            for (byte b : bytes) {
                out.append(String.format("%%%02X", b & 0xFF));
            }
        }
        return out.toString();
    }

    /**
     * Configured as the Jupiter tests are, so Spring's cache hands out their application.
     */
    static class SameApplication extends PostgresIntegrationTest {

    }

}
