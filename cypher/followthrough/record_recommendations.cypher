// Follow-through (DESIGN.md §5 "Recommended contacts": "notes recorded afterwards close the
// loop"): records that recommended contacts were served to staff members, at most once per
// staff member, person and day (UTC):
// (:Staff)-[:RECOMMENDED {staff_id, day, at, rank, topic}]->(:Person) keeps the first serving
// of the day (its time, rank and topic; servings are given oldest first). `staff_id` repeats
// the staff member's id for the (staff_id, day) index that finds a day's records (see
// unrecorded.cypher). Unknown staff members and person ids are skipped.
// Locks are taken in one global order, so that concurrent writes (API workers) cannot
// deadlock: first every staff member of the batch, in id order, before their day's records
// are read (concurrent servings still record each person once); then the relationships are
// created in person id order (creating one locks the person).
// mode: write
// params: $servings ([{staff_id, day (date, UTC), at (datetime), topic (string or null),
//   rows: [{person_id, rank}]}])
// columns: recorded (relationships written)
UNWIND $servings AS serving
WITH DISTINCT serving.staff_id AS staff_id
ORDER BY staff_id
MATCH (s:Person {id: staff_id})
WHERE s:Staff
SET s.record_lock = true
REMOVE s.record_lock
WITH count(s) AS locked
UNWIND range(0, size($servings) - 1) AS i
UNWIND $servings[i].rows AS row
WITH $servings[i].staff_id AS staff_id, $servings[i].day AS day, row.person_id AS person_id,
     min(i) AS first
WITH staff_id, day, collect({person_id: person_id, first: first}) AS wanted
MATCH (s:Person {id: staff_id})
WHERE s:Staff
WITH s, day, wanted, COLLECT {
  MATCH ()-[r:RECOMMENDED {staff_id: s.id, day: day}]->(p:Person)
  RETURN p.id
} AS recorded
UNWIND wanted AS w
WITH s, day, w
WHERE NOT w.person_id IN recorded
MATCH (p:Person {id: w.person_id})
WITH s, day, p, $servings[w.first] AS serving
ORDER BY p.id, s.id
CREATE (s)-[r:RECOMMENDED {staff_id: s.id, day: day, at: serving.at,
                           rank: [row IN serving.rows WHERE row.person_id = p.id][0].rank,
                           topic: serving.topic}]->(p)
RETURN count(r) AS recorded
