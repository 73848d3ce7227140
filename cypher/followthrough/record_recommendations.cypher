// Follow-through (DESIGN.md §5 "Recommended contacts": "notes recorded afterwards close the
// loop"): records that recommended contacts were served to staff members, at most once per
// staff member, person and day (UTC): (:Staff)-[:RECOMMENDED {day, at, rank, topic}]->(:Person)
// keeps the first serving of the day (its time, rank and topic; servings are given oldest
// first). MERGE between two matched nodes locks them, so concurrent servings still record one.
// Unknown staff members and person ids are skipped.
// mode: write
// params: $servings ([{staff_id, day (date, UTC), at (datetime), topic (string or null),
//   rows: [{person_id, rank}]}])
// columns: recorded (relationships of those days for these people)
UNWIND $servings AS serving
MATCH (s:Person {id: serving.staff_id})
WHERE s:Staff
UNWIND serving.rows AS row
MATCH (p:Person {id: row.person_id})
MERGE (s)-[r:RECOMMENDED {day: serving.day}]->(p)
  ON CREATE SET r.at = serving.at, r.rank = row.rank, r.topic = serving.topic
RETURN count(r) AS recorded
