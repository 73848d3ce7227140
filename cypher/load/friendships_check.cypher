// Checks friendship events: an event already recorded on the pair's tie is a duplicate.
// Parameters: $rows: [{i, event_id, a_id, b_id}].
// Returns: i, status ('ok' | 'duplicate'), reason.
UNWIND $rows AS r
OPTIONAL MATCH (:Person {id: r.a_id})-[f:FRIEND_OF]-(:Person {id: r.b_id})
WITH r, r.event_id IN coalesce(f.event_ids, []) AS seen
RETURN r.i AS i, CASE WHEN seen THEN 'duplicate' ELSE 'ok' END AS status, null AS reason
