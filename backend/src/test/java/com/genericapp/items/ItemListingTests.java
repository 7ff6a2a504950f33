package com.genericapp.items;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.genericapp.testsupport.PostgresIntegrationTest;
import com.genericapp.testsupport.TestPostgres;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Listing, search and pagination. Each test tags its own rows so that it sees only them.
 */
class ItemListingTests extends PostgresIntegrationTest {

    private static final Pattern NEXT = Pattern.compile("<([^>]+)>; rel=\"next\"");

    @Autowired
    WebTestClient http;

    @Test
    void listIsOrderedByIdWithDefaultLimitOf50() {
        String tag = insertTagged(60);
        List<Item> page = page("/api/items?q=" + tag).getResponseBody();
        assertThat(page).hasSize(50);
        assertThat(page).extracting(Item::id).isSorted();
    }

    @Test
    void paginationWalksEveryItemExactlyOnce() {
        String tag = insertTagged(237);
        Set<Long> seen = new HashSet<>();
        List<Long> order = new ArrayList<>();
        String uri = "/api/items?limit=25&q=" + tag;
        int pages = 0;
        while (uri != null && pages++ < 50) {
            EntityExchangeResult<List<Item>> result = page(uri);
            for (Item item : result.getResponseBody()) {
                assertThat(seen.add(item.id())).as("item %d seen once", item.id()).isTrue();
                order.add(item.id());
            }
            uri = nextLink(result.getResponseHeaders());
        }
        assertThat(seen).hasSize(237);
        assertThat(order).isSorted();
        assertThat(pages).isEqualTo(10);
    }

    @Test
    void lastPageHasNoNextLinkAndLinkKeepsTheQuery() {
        String tag = insertTagged(3);
        EntityExchangeResult<List<Item>> first = page("/api/items?limit=2&q=" + tag);
        String next = nextLink(first.getResponseHeaders());
        assertThat(next).startsWith("/api/items?after=").contains("&limit=2").endsWith("&q=" + tag);
        EntityExchangeResult<List<Item>> last = page(next);
        assertThat(last.getResponseBody()).hasSize(1);
        assertThat(last.getResponseHeaders().getFirst(HttpHeaders.LINK)).isNull();
    }

    @Test
    void afterSkipsItemsUpToThatId() {
        String tag = insertTagged(5);
        List<Item> all = page("/api/items?q=" + tag).getResponseBody();
        List<Item> rest = page("/api/items?q=" + tag + "&after=" + all.get(1).id()).getResponseBody();
        assertThat(rest).extracting(Item::id)
            .containsExactlyElementsOf(all.subList(2, 5).stream().map(Item::id).toList());
    }

    @Test
    void searchIsCaseInsensitiveInNameAndDescription() {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        TestPostgres.shared()
            .execute("INSERT INTO items (name, description) VALUES" + " ('Paint the FENCE " + tag + "', null),"
                    + " ('Garden " + tag + "', 'then the fence gate')," + " ('Unrelated " + tag + "', 'nothing here'),"
                    + " ('Café Crème " + tag + "', 'accents')");
        assertThat(page("/api/items?q=fEnCe&limit=500").getResponseBody()).extracting(Item::name)
            .contains("Paint the FENCE " + tag, "Garden " + tag)
            .doesNotContain("Unrelated " + tag);
        assertThat(page("/api/items?q={q}", "CAFÉ CRÈME").getResponseBody()).extracting(Item::name)
            .contains("Café Crème " + tag);
    }

    @Test
    void searchMatchesWordsByTheirStartNotSubstrings() {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        TestPostgres.shared()
            .execute("INSERT INTO items (name) VALUES ('100% done w" + tag + "'), ('1000 done w" + tag + "'),"
                    + " ('undone w" + tag + "')");
        assertThat(page("/api/items?q={q}", "100% done w" + tag).getResponseBody()).extracting(Item::name)
            .containsExactly("100% done w" + tag, "1000 done w" + tag);
        assertThat(page("/api/items?q={q}", "1000 w" + tag).getResponseBody()).extracting(Item::name)
            .containsExactly("1000 done w" + tag);
        assertThat(page("/api/items?q={q}", "one w" + tag).getResponseBody()).isEmpty();
        assertThat(page("/api/items?q={q}", "_w" + tag).getResponseBody()).as("punctuation separates words").hasSize(3);
    }

    @Test
    void ndjsonStreamsEveryMatchingItemOnePerLine() {
        String tag = insertTagged(120);
        List<Item> streamed = http.get()
            .uri("/api/items?q=" + tag)
            .accept(MediaType.APPLICATION_NDJSON)
            .exchange()
            .expectStatus()
            .isOk()
            .expectHeader()
            .contentType(MediaType.APPLICATION_NDJSON)
            .expectHeader()
            .valueEquals("X-Accel-Buffering", "no")
            .returnResult(Item.class)
            .getResponseBody()
            .collectList()
            .block();
        assertThat(streamed).hasSize(120).extracting(Item::id).isSorted();
    }

    private EntityExchangeResult<List<Item>> page(String uri, Object... variables) {
        return http.get()
            .uri(uri, variables)
            .accept(MediaType.APPLICATION_JSON)
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody(new ParameterizedTypeReference<List<Item>>() {
            })
            .returnResult();
    }

    private static String nextLink(HttpHeaders headers) {
        String link = headers.getFirst(HttpHeaders.LINK);
        if (link == null) {
            return null;
        }
        Matcher matcher = NEXT.matcher(link);
        assertThat(matcher.matches()).as("Link header %s", link).isTrue();
        return matcher.group(1);
    }

    /** Inserts {@code count} items whose names share a fresh tag, and returns the tag. */
    static String insertTagged(int count) {
        String tag = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        TestPostgres.shared().insertItems(tag, count, "'generated'");
        return tag;
    }

}
