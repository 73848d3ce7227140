// The staff members with recommendations recorded before RECOMMENDED carried the staff member's
// id (graph.schema's migration `recommended_staff_id`).
// mode: read
// params: none
// columns: id
MATCH (s:Person)-[r:RECOMMENDED]->(:Person)
WHERE r.staff_id IS NULL
RETURN DISTINCT s.id AS id
