// Follow-through (DESIGN.md §5 "Recommended contacts": "notes recorded afterwards close the
// loop"): records that recommended contacts were served to staff members, at most once per
// staff member, person and day (UTC):
// (:Staff)-[:RECOMMENDED {staff_id, day, at, rank, topic}]->(:Person) keeps the first serving
// of the day (its time, rank and topic; servings are given oldest first). `staff_id` repeats
// the staff member's id for the (staff_id, day) index that finds a day's records (see
// unrecorded.cypher). Each serving is taken in a subquery of its own, after the one before it;
// the staff member is locked before their day's records are read, so concurrent servings still
// record each person once. Unknown staff members and person ids are skipped.
// mode: write
// params: $servings ([{staff_id, day (date, UTC), at (datetime), topic (string or null),
//   rows: [{person_id, rank}]}])
// columns: recorded (relationships written)
UNWIND $servings AS serving
CALL (serving) {
  MATCH (s:Person {id: serving.staff_id})
  WHERE s:Staff
  SET s.record_lock = true
  REMOVE s.record_lock
  WITH s, serving, COLLECT {
    MATCH ()-[r:RECOMMENDED {staff_id: s.id, day: serving.day}]->(p:Person)
    RETURN p.id
  } AS recorded
  UNWIND serving.rows AS row
  WITH s, serving, row
  WHERE NOT row.person_id IN recorded
  MATCH (p:Person {id: row.person_id})
  CREATE (s)-[r:RECOMMENDED {staff_id: s.id, day: serving.day, at: serving.at, rank: row.rank,
                             topic: serving.topic}]->(p)
  RETURN count(r) AS written
}
RETURN sum(written) AS recorded
