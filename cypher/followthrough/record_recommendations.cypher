// Follow-through (DESIGN.md §5 "Recommended contacts": "notes recorded afterwards close the
// loop"): records that recommended contacts were served to a staff member, at most once per
// staff member, person and day (UTC): (:Staff)-[:RECOMMENDED {day, at, rank, topic}]->(:Person)
// keeps the first serving of the day (its time, rank and topic). MERGE between two matched
// nodes locks them, so concurrent servings still record one. Unknown person ids are skipped.
// mode: write
// params: $staff_id, $rows ([{person_id, rank}]), $day (date, UTC), $at (datetime), $topic (string
//   or null)
// columns: recorded (relationships of that day for these people)
MATCH (s:Staff {id: $staff_id})
UNWIND $rows AS row
MATCH (p:Person {id: row.person_id})
MERGE (s)-[r:RECOMMENDED {day: $day}]->(p)
  ON CREATE SET r.at = $at, r.rank = row.rank, r.topic = $topic
RETURN count(r) AS recorded
