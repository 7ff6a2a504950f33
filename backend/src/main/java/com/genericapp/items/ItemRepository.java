package com.genericapp.items;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.StringJoiner;
import java.util.regex.Pattern;

import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;
import org.springframework.stereotype.Repository;

/**
 * All the SQL of the items feature. Plain SQL through {@link DatabaseClient}: each
 * request is one statement, and optimistic locking is a {@code WHERE version = …} in the
 * same statement as the write, so two concurrent writers cannot both succeed.
 */
@Repository
class ItemRepository {

    /** {@link #toItem} reads them by position: in this order. */
    private static final String COLUMNS = "id, name, description, version, created_at, updated_at, created_by, updated_by";

    /**
     * Every word of the query begins a word of the name or description: the same
     * expression as the full-text index items_search (V8 migration), so the index is
     * used. The query is a parameter, so with a custom plan (PostgreSQL's default for the
     * first executions, and while it stays cheaper) the planner estimates each query's
     * own words from the index's statistics. See docs/SEARCH.md.
     */
    private static final String MATCHES_QUERY = "to_tsvector('simple'::regconfig, name || ' ' || coalesce(description, ''))"
            + " @@ to_tsquery('simple'::regconfig, :words)";

    /**
     * Bound on a request's single query, connection acquisition included: past it the
     * client gets a prompt 503 rather than a hanging request (a stuck lock, a database
     * that stopped answering). 4 s, so that with the answer's own time no request exceeds
     * the 5 s that ci/tests/run faults holds the API to while PostgreSQL restarts (5 s
     * gave a 5.1 s answer there).
     */
    private static final Pattern WHITESPACE = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);

    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(4);

    /**
     * Rows fetched per round trip while streaming: memory stays bounded whatever the row
     * count.
     */
    private static final int STREAM_FETCH_SIZE = 1000;

    private final DatabaseClient db;

    ItemRepository(DatabaseClient db) {
        this.db = db;
    }

    /** Up to {@code limit} items with an id greater than {@code after}, in id order. */
    Mono<List<Item>> findPage(@Nullable String query, long after, int limit) {
        return select(query, after, " ORDER BY id LIMIT :limit").bind("limit", limit)
            .map(ItemRepository::toItem)
            .all()
            .collectList()
            .timeout(QUERY_TIMEOUT);
    }

    /**
     * Every matching item, fetched from PostgreSQL only as fast as the subscriber asks
     * for it.
     */
    Flux<Item> streamAll(@Nullable String query, long after) {
        return select(query, after, " ORDER BY id").filter((statement) -> statement.fetchSize(STREAM_FETCH_SIZE))
            .map(ItemRepository::toItem)
            .all();
    }

    private GenericExecuteSpec select(@Nullable String query, long after, String orderAndLimit) {
        String sql = "SELECT " + COLUMNS + " FROM items WHERE id > :after"
                + ((query != null) ? " AND " + MATCHES_QUERY : "") + orderAndLimit;
        GenericExecuteSpec spec = db.sql(sql).bind("after", after);
        return (query != null) ? spec.bind("words", wordPrefixes(query)) : spec;
    }

    Mono<Item> findById(long id) {
        return db.sql("SELECT " + COLUMNS + " FROM items WHERE id = :id")
            .bind("id", id)
            .map(ItemRepository::toItem)
            .one()
            .timeout(QUERY_TIMEOUT);
    }

    /** Inserts an item made by {@code username}. */
    Mono<Item> insert(String name, @Nullable String description, String username) {
        return bindDescription(db
            .sql("INSERT INTO items (name, description, created_by, updated_by)"
                    + " VALUES (:name, :description, :by, :by) RETURNING " + COLUMNS)
            .bind("name", name)
            .bind("by", username), description).map(ItemRepository::toItem).one().timeout(QUERY_TIMEOUT);
    }

    /**
     * Replaces name and description, as changed by {@code username}, when the item exists
     * and, if {@code requiredVersion} is given, still has that version. Empty when
     * nothing was updated.
     */
    Mono<Item> update(long id, String name, @Nullable String description, @Nullable Long requiredVersion,
            String username) {
        String sql = "UPDATE items SET name = :name, description = :description, version = version + 1,"
                + " updated_at = now(), updated_by = :by WHERE id = :id"
                + ((requiredVersion != null) ? " AND version = :version" : "") + " RETURNING " + COLUMNS;
        GenericExecuteSpec spec = bindDescription(db.sql(sql).bind("id", id).bind("name", name).bind("by", username),
                description);
        if (requiredVersion != null) {
            spec = spec.bind("version", requiredVersion);
        }
        return spec.map(ItemRepository::toItem).one().timeout(QUERY_TIMEOUT);
    }

    /**
     * Deletes the item under the same conditions as {@link #update}; emits the deleted
     * id, or nothing.
     */
    Mono<Long> delete(long id, @Nullable Long requiredVersion) {
        String sql = "DELETE FROM items WHERE id = :id" + ((requiredVersion != null) ? " AND version = :version" : "")
                + " RETURNING id";
        GenericExecuteSpec spec = db.sql(sql).bind("id", id);
        if (requiredVersion != null) {
            spec = spec.bind("version", requiredVersion);
        }
        return spec.map((row) -> require(row.get("id", Long.class))).one().timeout(QUERY_TIMEOUT);
    }

    private static GenericExecuteSpec bindDescription(GenericExecuteSpec spec, @Nullable String description) {
        return (description != null) ? spec.bind("description", description)
                : spec.bindNull("description", String.class);
    }

    /**
     * The {@code to_tsquery} text for {@code query}: each whitespace-separated word
     * quoted (so that no character of it is an operator of tsquery's syntax) and marked
     * as a prefix, all of them required. PostgreSQL's parser then splits each quoted word
     * as it split the items' text: {@code e-mail} or {@code 3.14} match as written, and a
     * word of punctuation alone matches nothing. Words made only of characters the parser
     * ignores leave an empty query, which matches no item.
     */
    static String wordPrefixes(String query) {
        StringJoiner words = new StringJoiner(" & ");
        for (String word : WHITESPACE.split(query.strip())) {
            if (!word.isEmpty()) {
                words.add("'" + word.replace("\\", "\\\\").replace("'", "''") + "':*");
            }
        }
        return words.toString();
    }

    /**
     * An item from a row of {@link #COLUMNS}, read by position, in that order: by name,
     * each column was a look-up in the row's metadata, eight per row of an export.
     */
    private static Item toItem(Readable row) {
        return new Item(require(row.get(0, Long.class)), require(row.get(1, String.class)), row.get(2, String.class),
                require(row.get(3, Long.class)), require(row.get(4, Instant.class)), require(row.get(5, Instant.class)),
                row.get(6, String.class), row.get(7, String.class));
    }

    private static <T> T require(@Nullable T value) {
        if (value == null) {
            throw new IllegalStateException("NOT NULL column returned null");
        }
        return value;
    }

}
