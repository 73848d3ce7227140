// Writes staff notes: (:Staff)-[:NOTED {at, kind, text, tag, event_id}]->(:Person).
// Parameters: $rows: [{event_id, staff_id, person_id, at, kind, text, tag}].
// Returns: nothing.
UNWIND $rows AS r
MATCH (s:Staff {id: r.staff_id})
MATCH (p:Person {id: r.person_id})
CREATE (s)-[:NOTED {at: r.at, kind: r.kind, text: r.text, tag: r.tag, event_id: r.event_id}]->(p)
