// Upserts stores (reference data).
// Parameters: $rows: [{store_id, name, city, region, opened_on}].
// Returns: nothing.
UNWIND $rows AS r
WITH r, date(r.opened_on) AS opened_on
MERGE (s:Store {id: r.store_id})
SET s.name = r.name, s.city = r.city, s.region = r.region, s.opened_on = opened_on
