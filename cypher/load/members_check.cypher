// Checks imported members: their store must exist.
// Parameters: $rows: [{i, person_id, store_id}].
// Returns: i, status ('ok' | 'reject'), reason.
UNWIND $rows AS r
OPTIONAL MATCH (s:Store {id: r.store_id})
RETURN r.i AS i,
       CASE WHEN s IS NULL THEN 'reject' ELSE 'ok' END AS status,
       CASE WHEN s IS NULL THEN 'unknown store_id ' + r.store_id END AS reason
