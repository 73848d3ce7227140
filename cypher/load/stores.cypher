// Upserts stores (reference data); a store references nothing, so every row applies.
// Like every load query it returns the rows it did not apply: none here.
// mode: write
// params: $rows ([{i, store_id, name, city, region, opened_on}])
// columns: i, status, reason, missing
UNWIND $rows AS r
MERGE (s:Store {id: r.store_id})
SET s.name = r.name, s.city = r.city, s.region = r.region, s.opened_on = date(r.opened_on)
WITH r WHERE false
RETURN r.i AS i, 'rejected' AS status, null AS reason, null AS missing
