// Checks and writes visit events: (:Person)-[:VISITED {at, action, event_id}]->(:Share).
// Refused: a duplicate event, a visit earlier than its share; held back: an unknown share.
// Returns one row per row it did not apply; applied rows return nothing.
// mode: write
// params: $rows ([{i, event_id, share_id, visitor_id, at, action}])
// columns: i, status ('duplicate' | 'pending' (unknown reference) | 'rejected'), reason
UNWIND $rows AS r
WITH r, datetime(r.at) AS at
OPTIONAL MATCH ()-[dup:VISITED {event_id: r.event_id}]->()
OPTIONAL MATCH (s:Share {id: r.share_id})
WITH r, at, s,
     CASE
       WHEN dup IS NOT NULL THEN ['duplicate', null]
       WHEN s IS NULL THEN ['pending', 'unknown share_id ' + r.share_id]
       WHEN at < s.at
         THEN ['rejected', 'visit at ' + toString(at) + ' is earlier than its share at '
                         + toString(s.at)]
       ELSE ['accepted', null]
     END AS verdict
CALL (r, at, s, verdict) {
  WITH r, at, s WHERE verdict[0] = 'accepted'
  MERGE (v:Person {id: r.visitor_id})
  SET v:Stale
  CREATE (v)-[:VISITED {at: at, action: r.action, event_id: r.event_id}]->(s)
}
WITH r, verdict WHERE verdict[0] <> 'accepted'
RETURN r.i AS i, verdict[0] AS status, verdict[1] AS reason
