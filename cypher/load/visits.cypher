// Writes visit events: (:Person)-[:VISITED {at, action, event_id}]->(:Share).
// Parameters: $rows: [{event_id, share_id, visitor_id, at, action}].
// Returns: nothing.
UNWIND $rows AS r
WITH r, datetime(r.at) AS at
MATCH (s:Share {id: r.share_id})
MERGE (v:Person {id: r.visitor_id})
SET v:Stale
CREATE (v)-[:VISITED {at: at, action: r.action, event_id: r.event_id}]->(s)
