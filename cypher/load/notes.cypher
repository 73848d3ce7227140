// Writes staff notes: (:Staff)-[:NOTED {at, kind, text, tag, event_id}]->(:Person).
// Parameters: $rows: [{event_id, staff_id, person_id, at, kind, text, tag}].
// Returns: nothing.
UNWIND $rows AS r
WITH r, datetime(r.at) AS at
MATCH (s:Staff {id: r.staff_id})
MATCH (p:Person {id: r.person_id})
CREATE (s)-[:NOTED {at: at, kind: r.kind, text: r.text, tag: r.tag, event_id: r.event_id}]->(p)
