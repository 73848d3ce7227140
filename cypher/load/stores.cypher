// Upserts stores (reference data); a store references nothing, so every row applies.
// Parameters: $rows: [{i, store_id, name, city, region, opened_on}].
// Returns: i, status, reason for rows not applied (none here).
UNWIND $rows AS r
MERGE (s:Store {id: r.store_id})
SET s.name = r.name, s.city = r.city, s.region = r.region, s.opened_on = date(r.opened_on)
WITH r WHERE false
RETURN r.i AS i, 'ok' AS status, null AS reason
