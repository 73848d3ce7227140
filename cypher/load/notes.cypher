// Checks and writes staff notes: (:Staff)-[:NOTED {at, kind, text, tag, event_id}]->(:Person).
// Refused: a duplicate event; held back: an unknown staff member or person.
// Returns one row per row it did not apply; applied rows return nothing.
// mode: write
// params: $rows ([{i, event_id, staff_id, person_id, at, kind, text, tag}])
// columns: i, status ('duplicate' | 'pending' (unknown reference)), reason,
//   missing (what a pending row waits for: 'staff:<id>', 'person:<id>')
CYPHER replan=skip
UNWIND $rows AS r
OPTIONAL MATCH ()-[dup:NOTED {event_id: r.event_id}]->()
OPTIONAL MATCH (s:Staff {id: r.staff_id})
OPTIONAL MATCH (p:Person {id: r.person_id})
WITH r, s, p, CASE
                WHEN dup IS NOT NULL THEN ['duplicate', null, null]
                WHEN s IS NULL THEN ['pending', 'unknown staff_id ' + r.staff_id, 'staff:' + r.staff_id]
                WHEN p IS NULL THEN ['pending', 'unknown person_id ' + r.person_id, 'person:' + r.person_id]
                ELSE ['accepted', null, null]
              END AS verdict
CALL (r, s, p, verdict) {
  WITH r, s, p WHERE verdict[0] = 'accepted'
  CREATE (s)-[:NOTED {at: datetime(r.at), kind: r.kind, text: r.text, tag: r.tag,
                      event_id: r.event_id}]->(p)
}
WITH r, verdict WHERE verdict[0] <> 'accepted'
RETURN r.i AS i, verdict[0] AS status, verdict[1] AS reason, verdict[2] AS missing
