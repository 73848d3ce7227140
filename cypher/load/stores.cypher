// Upserts stores (reference data).
// Parameters: $rows: [{store_id, name, city, region, opened_on}].
// Returns: nothing.
UNWIND $rows AS r
MERGE (s:Store {id: r.store_id})
SET s.name = r.name, s.city = r.city, s.region = r.region, s.opened_on = r.opened_on
