// Follow-through (DESIGN.md §5 "Recommended contacts": "notes recorded afterwards close the
// loop"): records that recommended contacts were served to a staff member, one
// (:Staff)-[:RECOMMENDED {at, rank, topic}]->(:Person) per person, rank = position in the list
// (1-based). Serving the same person to the same staff member at the same time again only
// updates rank and topic. Unknown person ids are skipped.
// mode: write
// params: $staff_id, $person_ids ([person id] (in ranked order)), $at (datetime), $topic (string or
//   null)
// columns: staff_found, recorded (relationships created or updated)
OPTIONAL MATCH (s:Staff {id: $staff_id})
CALL (s) {
  WITH s WHERE s IS NOT NULL
  UNWIND range(0, size($person_ids) - 1) AS i
  MATCH (p:Person {id: $person_ids[i]})
  MERGE (s)-[r:RECOMMENDED {at: $at}]->(p)
  SET r.rank = i + 1, r.topic = $topic
  RETURN count(r) AS recorded
}
RETURN s IS NOT NULL AS staff_found, recorded
