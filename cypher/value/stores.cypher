// Customer value (DESIGN.md §5 "Customer value"): the stores an answer is about, with their
// names — one store (none when it is unknown) or, with a null $store_id, every store.
// mode: read
// params: $store_id (null: every store)
// columns: store_id, name, city, region (ordered by store_id)
MATCH (s:Store)
WHERE $store_id IS NULL OR s.id = $store_id
RETURN s.id AS store_id, s.name AS name, s.city AS city, s.region AS region
ORDER BY store_id
