// Checks visit events: duplicate event, unknown share, visit earlier than its share.
// Parameters: $rows: [{i, event_id, share_id, at}].
// Returns: i, status ('ok' | 'duplicate' | 'pending' (unknown reference) | 'reject'), reason.
UNWIND $rows AS r
WITH r, datetime(r.at) AS at
OPTIONAL MATCH ()-[dup:VISITED {event_id: r.event_id}]->()
OPTIONAL MATCH (s:Share {id: r.share_id})
WITH r, dup, s,
     CASE
       WHEN dup IS NOT NULL THEN ['duplicate', null]
       WHEN s IS NULL THEN ['pending', 'unknown share_id ' + r.share_id]
       WHEN at < s.at
         THEN ['reject', 'visit at ' + toString(at) + ' is earlier than its share at '
                         + toString(s.at)]
       ELSE ['ok', null]
     END AS verdict
RETURN r.i AS i, verdict[0] AS status, verdict[1] AS reason
