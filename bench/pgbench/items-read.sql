-- The API's point read (ItemRepository.findById), random ids over the same 100,000 rows.
\set id random(1, 100000)
SELECT id, name, description, version, created_at, updated_at FROM items WHERE id = :id;
