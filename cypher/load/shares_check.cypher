// Checks share events against the graph: duplicate event, share id taken by another event,
// unknown content, unknown parent share (pending: it may arrive later in the same load),
// a reshare earlier than its parent.
// Parameters: $rows: [{i, event_id, share_id, content_id, at, parent_share_id}].
// Returns: i, status ('ok' | 'duplicate' | 'pending' (unknown reference) | 'reject'), reason.
UNWIND $rows AS r
WITH r, datetime(r.at) AS at
OPTIONAL MATCH (same:Share {id: r.share_id})
OPTIONAL MATCH (c:Content {id: r.content_id})
OPTIONAL MATCH (parent:Share {id: r.parent_share_id})
WITH r, same, c, parent,
     CASE
       WHEN same IS NOT NULL AND same.event_id = r.event_id THEN ['duplicate', null]
       WHEN same IS NOT NULL
         THEN ['reject', 'share_id ' + r.share_id + ' already belongs to event ' + same.event_id]
       WHEN c IS NULL THEN ['pending', 'unknown content_id ' + r.content_id]
       WHEN r.parent_share_id IS NOT NULL AND parent IS NULL
         THEN ['pending', 'unknown parent_share_id ' + r.parent_share_id]
       WHEN parent IS NOT NULL AND at < parent.at
         THEN ['reject', 'reshare at ' + toString(at) + ' is earlier than its parent share at '
                         + toString(parent.at)]
       ELSE ['ok', null]
     END AS verdict
RETURN r.i AS i, verdict[0] AS status, verdict[1] AS reason
