-- Search matches words, not substrings (issue 15; the decision and its measurements are in
-- docs/SEARCH.md). An item matches q when every whitespace-separated word of q begins a word of
-- its name or description, case-insensitively: "fen gat" finds "the fence gate". PostgreSQL's
-- full-text parser with the 'simple' configuration splits the text (no stemming and no stop words:
-- item text is in any language), and a GIN index on the same expression serves the match.
--
-- The trigram index served LIKE '%q%': for a word shared by 0.1 % of a million rows it rechecked
-- about 1,000 rows after merging posting lists of 100,000, and the planner misjudged one word in
-- ten by 10x. A word index returns the exact rows with no recheck, and its statistics (the most
-- common words and their frequencies) give the planner true estimates. ItemRepository builds the
-- query with the same expression, so this index is used. IF NOT EXISTS: on a large live table an
-- operator may build it first with CREATE INDEX CONCURRENTLY (docs/SEARCH.md).
CREATE INDEX IF NOT EXISTS items_search ON items
    USING gin (to_tsvector('simple'::regconfig, name || ' ' || coalesce(description, '')));

DROP INDEX items_search_trgm;
