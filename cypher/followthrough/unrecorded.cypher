// Of the people in each served list, those with no recommendation recorded yet that day (UTC)
// by that staff member, so that serving the same list again writes nothing (see
// graph.followthrough). One row per serving, in the order given.
// Staff are found through the Person id index: `(s:Staff {id: ...})` scans every staff member.
// A staff member's records of one day are found through the RECOMMENDED (staff_id, day) index:
// testing each person through the staff member's RECOMMENDED relationships reads every day
// recorded so far (after a year of daily lists, 68 000 db hits a serving).
// mode: read
// params: $servings ([{staff_id, day (date, UTC), rows: [{person_id, rank}], ...}])
// columns: staff_found, rows (the serving's rows of known people without a record that day, in
//   the order given)
UNWIND $servings AS serving
OPTIONAL MATCH (s:Person {id: serving.staff_id})
WHERE s:Staff
WITH serving, s, COLLECT {
  MATCH ()-[r:RECOMMENDED {staff_id: s.id, day: serving.day}]->(p:Person)
  RETURN p.id
} AS recorded
RETURN s IS NOT NULL AS staff_found,
       [row IN serving.rows
        WHERE s IS NOT NULL AND NOT row.person_id IN recorded
          AND EXISTS { MATCH (:Person {id: row.person_id}) }] AS rows
