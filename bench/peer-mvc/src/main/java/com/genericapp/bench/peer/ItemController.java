package com.genericapp.bench.peer;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The API's point read and page of items (backend's ItemController and ItemRepository):
 * the same SQL, the same ETag, the same Link header, the same JSON. No session, no
 * search, no writes: the API pays for its session check and the peer does not, so the
 * ratio is conservative.
 */
@RestController
@RequestMapping("/api/items")
class ItemController {

    private static final String COLUMNS = "id, name, description, version, created_at, updated_at, created_by, updated_by";

    private final JdbcClient db;

    ItemController(JdbcClient db) {
        this.db = db;
    }

    @GetMapping("/{id}")
    ResponseEntity<Item> get(@PathVariable long id) {
        return db.sql("SELECT " + COLUMNS + " FROM items WHERE id = ?")
            .param(id)
            .query(ItemController::toItem)
            .optional()
            .map((item) -> ResponseEntity.ok().eTag(item.etag()).body(item))
            .orElseThrow(() -> new ErrorResponseException(HttpStatus.NOT_FOUND));
    }

    @GetMapping
    ResponseEntity<List<Item>> list(@RequestParam(defaultValue = "50") int limit,
            @RequestParam(defaultValue = "0") long after) {
        // One row more than asked tells whether a next page exists, as the API does.
        List<Item> page = db.sql("SELECT " + COLUMNS + " FROM items WHERE id > ? ORDER BY id LIMIT ?")
            .params(after, limit + 1)
            .query(ItemController::toItem)
            .list();
        if (page.size() <= limit) {
            return ResponseEntity.ok(page);
        }
        List<Item> shown = page.subList(0, limit);
        String next = "/api/items?after=" + shown.get(limit - 1).id() + "&limit=" + limit;
        return ResponseEntity.ok().header(HttpHeaders.LINK, "<" + next + ">; rel=\"next\"").body(shown);
    }

    private static Item toItem(ResultSet row, int rowNumber) throws SQLException {
        return new Item(row.getLong("id"), row.getString("name"), row.getString("description"), row.getLong("version"),
                row.getObject("created_at", OffsetDateTime.class).toInstant(),
                row.getObject("updated_at", OffsetDateTime.class).toInstant(), row.getString("created_by"),
                row.getString("updated_by"));
    }

}
