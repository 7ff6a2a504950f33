package com.genericapp.items;

import java.util.List;
import java.util.UUID;

import com.genericapp.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.data.r2dbc.test.autoconfigure.DataR2dbcTest;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The repository on its own (no web layer), on the shared real PostgreSQL, migrated by
 * Flyway as the application migrates it: search escaping, conditional writes, paging,
 * demand-driven streaming, and the database's own limits matching {@link ItemLimits}.
 */
@DataR2dbcTest
@ImportAutoConfiguration(FlywayAutoConfiguration.class)
@Import(ItemRepository.class)
class ItemRepositoryTests {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestPostgres.shared().registerProperties(registry);
    }

    /** In every name this class inserts, so that it can remove them all afterwards. */
    private static final String TAG = "repo" + System.nanoTime();

    @AfterAll
    static void deleteRows() {
        TestPostgres.shared().deleteItems(TAG);
    }

    @Autowired
    ItemRepository items;

    @Autowired
    DatabaseClient db;

    /** A word no other test's items contain, so searches see only this test's rows. */
    private static String marker() {
        return "m" + UUID.randomUUID().toString().replace("-", "");
    }

    /**
     * Inserted through the repository, with the class's tag at the end for the clean-up.
     */
    private Item insert(String name) {
        Item item = items.insert(name + " " + TAG, null, "repository-test").block();
        assertThat(item).isNotNull();
        return item;
    }

    private List<String> namesMatching(String query) {
        return items.findPage(query, 0, 100).map((page) -> page.stream().map(Item::name).toList()).block();
    }

    @Test
    void searchMatchesEveryWordAsTheStartOfAWordInAnyOrder() {
        String m = marker();
        insert(m + " Paint the FENCE");
        insert(m + " garden gate");
        insert(m + " write an e-mail");
        insert(m + " pi is 3.14");
        String end = " " + TAG;
        assertThat(namesMatching(m + " fence paint")).containsExactly(m + " Paint the FENCE" + end);
        assertThat(namesMatching(m + " FEN")).as("a prefix, case-insensitively")
            .containsExactly(m + " Paint the FENCE" + end);
        assertThat(namesMatching(m + " ence")).as("not a substring inside a word").isEmpty();
        assertThat(namesMatching(m + " gar gat")).containsExactly(m + " garden gate" + end);
        assertThat(namesMatching(m + " gate fence")).as("every word is required").isEmpty();
        assertThat(namesMatching(m + " e-mail")).containsExactly(m + " write an e-mail" + end);
        assertThat(namesMatching(m + " mail")).containsExactly(m + " write an e-mail" + end);
        assertThat(namesMatching(m + " 3.1")).containsExactly(m + " pi is 3.14" + end);
        assertThat(namesMatching(m.substring(0, 20).toUpperCase())).as("the marker's prefix").hasSize(4);
    }

    @Test
    void searchTakesTheQuerySyntaxOfPostgresqlLiterally() {
        String m = marker();
        insert(m + " it's 50% off");
        insert(m + " back\\slash");
        insert(m + " a|b & c");
        String end = " " + TAG;
        assertThat(namesMatching(m + " it's")).containsExactly(m + " it's 50% off" + end);
        assertThat(namesMatching(m + " 50%")).containsExactly(m + " it's 50% off" + end);
        assertThat(namesMatching(m + " back\\slash")).containsExactly(m + " back\\slash" + end);
        assertThat(namesMatching(m + " slash\\")).containsExactly(m + " back\\slash" + end);
        assertThat(namesMatching(m + " a|b")).containsExactly(m + " a|b & c" + end);
        assertThat(namesMatching(m + " !a")).as("! is no negation").containsExactly(m + " a|b & c" + end);
        for (String syntax : List.of("'", "''", "\\", ":*", "&", "|", "!", "(", ")", "<->", "' & '")) {
            assertThat(namesMatching(m + " " + syntax)).as(syntax).hasSize(3);
            assertThat(namesMatching(syntax)).as("%s alone has no word and matches nothing", syntax).isEmpty();
        }
    }

    @Test
    void updateWithAStaleVersionChangesNothing() {
        Item item = insert(marker());
        StepVerifier.create(items.update(item.id(), "stale " + TAG, null, item.version() + 1, "repository-test"))
            .verifyComplete();
        StepVerifier.create(items.update(item.id(), "fresh " + TAG, "d", item.version(), "repository-test"))
            .assertNext((updated) -> {
                assertThat(updated.name()).isEqualTo("fresh " + TAG);
                assertThat(updated.description()).isEqualTo("d");
                assertThat(updated.version()).isEqualTo(item.version() + 1);
                assertThat(updated.updatedAt()).isAfterOrEqualTo(item.updatedAt());
                assertThat(updated.createdAt()).isEqualTo(item.createdAt());
            })
            .verifyComplete();
        StepVerifier.create(items.update(item.id(), "again " + TAG, null, item.version(), "repository-test"))
            .as("the old version no longer matches")
            .verifyComplete();
        StepVerifier.create(items.update(Long.MAX_VALUE, "nobody", null, null, "repository-test")).verifyComplete();
    }

    @Test
    void deleteWithAStaleVersionKeepsTheItem() {
        Item item = insert(marker());
        StepVerifier.create(items.delete(item.id(), item.version() + 1)).verifyComplete();
        StepVerifier.create(items.findById(item.id())).expectNextCount(1).verifyComplete();
        StepVerifier.create(items.delete(item.id(), item.version())).expectNext(item.id()).verifyComplete();
        StepVerifier.create(items.findById(item.id())).verifyComplete();
        StepVerifier.create(items.delete(item.id(), null)).as("already gone").verifyComplete();
    }

    @Test
    void pagesFollowIdOrderAfterTheCursor() {
        String m = marker();
        List<Item> created = Flux.range(0, 5)
            .concatMap((i) -> items.insert(m + " " + i + " " + TAG, null, "repository-test"))
            .collectList()
            .block();
        assertThat(created).hasSize(5);
        StepVerifier.create(items.findPage(m, created.get(1).id(), 2))
            .assertNext((page) -> assertThat(page).extracting(Item::id)
                .containsExactly(created.get(2).id(), created.get(3).id()))
            .verifyComplete();
    }

    @Test
    void streamEmitsOnlyWhatIsRequestedAndStopsWhenCancelled() {
        String m = marker();
        db.sql("INSERT INTO items (name) SELECT '" + m + " ' || g || ' " + TAG + "' FROM generate_series(1, 2500) g")
            .fetch()
            .rowsUpdated()
            .block();
        StepVerifier.create(items.streamAll(m, 0), 0)
            .expectSubscription()
            .expectNoEvent(java.time.Duration.ofMillis(200))
            .thenRequest(3)
            .expectNextCount(3)
            .expectNoEvent(java.time.Duration.ofMillis(200))
            .thenRequest(1500)
            .expectNextCount(1500)
            .thenCancel()
            .verify(java.time.Duration.ofSeconds(30));
        // the connection went back to the pool in a usable state: the next query answers
        StepVerifier.create(items.streamAll(m, 0).count()).expectNext(2500L).verifyComplete();
    }

    @Test
    void theDatabaseEnforcesTheSameLengthsAsTheApi() {
        Integer nameLength = db
            .sql("SELECT character_maximum_length FROM information_schema.columns"
                    + " WHERE table_name = 'items' AND column_name = 'name'")
            .map((row) -> row.get(0, Integer.class))
            .one()
            .block();
        assertThat(nameLength).isEqualTo(ItemLimits.NAME_LENGTH);
        String check = db
            .sql("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'items_description_length'")
            .map((row) -> row.get(0, String.class))
            .one()
            .block();
        assertThat(check).contains("<= " + ItemLimits.DESCRIPTION_LENGTH + ")");
        String emoji = "\uD83D\uDE00";
        Item atTheLimit = items
            .insert(emoji.repeat(ItemLimits.NAME_LENGTH), emoji.repeat(ItemLimits.DESCRIPTION_LENGTH),
                    "repository-test")
            .block();
        assertThat(atTheLimit).as("at the limit in code points (twice as many UTF-16 units) the database agrees")
            .isNotNull();
        StepVerifier.create(items.delete(atTheLimit.id(), null)).expectNext(atTheLimit.id()).verifyComplete();
    }

}
