-- The items table. Database-side checks mirror the API's validation, so no client of the
-- database (a script, a second service) can store what the API would refuse.
CREATE TABLE items (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        varchar(100) NOT NULL CONSTRAINT items_name_not_blank CHECK (btrim(name) <> ''),
    description text CONSTRAINT items_description_length CHECK (char_length(description) <= 2000),
    version     bigint       NOT NULL DEFAULT 0,
    created_at  timestamptz  NOT NULL DEFAULT now(),
    updated_at  timestamptz  NOT NULL DEFAULT now()
);

-- Search is a case-insensitive substring match in name or description ("contains", not "starts with"),
-- which only a trigram index keeps fast at a million rows. pg_trgm is a trusted extension: the schema
-- owner may create it when it has CREATE on the database.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX items_search_trgm ON items
    USING gin ((lower(name || ' ' || coalesce(description, ''))) gin_trgm_ops);
