// Checks order events: duplicate event, unknown store.
// Parameters: $rows: [{i, event_id, store_id}].
// Returns: i, status ('ok' | 'duplicate' | 'pending' (unknown reference) | 'reject'), reason.
UNWIND $rows AS r
OPTIONAL MATCH (dup:Order {id: r.event_id})
OPTIONAL MATCH (st:Store {id: r.store_id})
WITH r, CASE
          WHEN dup IS NOT NULL THEN ['duplicate', null]
          WHEN st IS NULL THEN ['pending', 'unknown store_id ' + r.store_id]
          ELSE ['ok', null]
        END AS verdict
RETURN r.i AS i, verdict[0] AS status, verdict[1] AS reason
