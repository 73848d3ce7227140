// Checks and writes visit events: (:Person)-[:VISITED {at, action, event_id}]->(:Share).
// Refused: a duplicate event, a visit earlier than its share; held back: an unknown share
// (`missing` names it as 'share:<id>'). Rows are checked and written one after the other (a
// subquery per row), so each sees the rows before it. Every row is answered: the loader folds
// each accepted visit into the visitor's derived data (graph.derive.fold) with the share's
// sharer and content.
// mode: write
// params: $rows ([{i, event_id, share_id, visitor_id, at, action}])
// columns: i, status ('accepted' | 'duplicate' | 'pending' (unknown reference) | 'rejected'),
//   reason, missing (what a pending row waits for), sharer_id, content_id (accepted rows)
CYPHER replan=skip
UNWIND $rows AS r
CALL (r) {
  WITH r, datetime(r.at) AS at
  OPTIONAL MATCH ()-[dup:VISITED {event_id: r.event_id}]->()
  OPTIONAL MATCH (s:Share {id: r.share_id})
  WITH r, at, s,
       CASE
         WHEN dup IS NOT NULL THEN ['duplicate', null, null]
         WHEN s IS NULL THEN ['pending', 'unknown share_id ' + r.share_id, 'share:' + r.share_id]
         WHEN at < s.at
           THEN ['rejected', 'visit at ' + toString(at) + ' is earlier than its share at '
                           + toString(s.at), null]
         ELSE ['accepted', null, null]
       END AS verdict
  CALL (r, at, s, verdict) {
    WITH r, at, s WHERE verdict[0] = 'accepted'
    MERGE (v:Person {id: r.visitor_id})
    CREATE (v)-[:VISITED {at: at, action: r.action, event_id: r.event_id}]->(s)
  }
  OPTIONAL MATCH (s)-[:OF]->(c:Content) WHERE verdict[0] = 'accepted'
  RETURN verdict, CASE WHEN verdict[0] = 'accepted' THEN s.sharer_id END AS sharer_id,
         c.id AS content_id
}
RETURN r.i AS i, verdict[0] AS status, verdict[1] AS reason, verdict[2] AS missing, sharer_id,
       content_id
