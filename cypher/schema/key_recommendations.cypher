// Copies the staff member's id onto their recorded recommendations that lack it, for the
// (staff_id, day) index through which a day's records are found (graph.schema's migration
// `recommended_staff_id`; followthrough/record_recommendations writes it from then on).
// mode: write
// params: $rows ([{id}]: staff members)
// columns: none
UNWIND $rows AS row
MATCH (s:Person {id: row.id})-[r:RECOMMENDED]->(:Person)
WHERE r.staff_id IS NULL
SET r.staff_id = s.id
