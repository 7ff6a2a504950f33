-- The API's create (ItemRepository.insert): one row, same columns returned, same trigger fired.
INSERT INTO items (name, description) VALUES ('bench item', 'written by pgbench')
    RETURNING id, name, description, version, created_at, updated_at;
