// Checks content rows: a store-specific item must name a known store.
// Parameters: $rows: [{i, content_id, store_id}].
// Returns: i, status ('ok' | 'reject'), reason.
UNWIND $rows AS r
OPTIONAL MATCH (s:Store {id: r.store_id})
WITH r, r.store_id IS NOT NULL AND s IS NULL AS unknown_store
RETURN r.i AS i,
       CASE WHEN unknown_store THEN 'reject' ELSE 'ok' END AS status,
       CASE WHEN unknown_store THEN 'unknown store_id ' + r.store_id END AS reason
