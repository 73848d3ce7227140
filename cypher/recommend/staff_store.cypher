// The store a staff member works at: recommended contacts come from its key nodes
// (DESIGN.md §5 "Recommended contacts").
// mode: read
// params: $staff_id
// columns: store_id (no row: unknown staff member)
// Staff are found through the Person id index: `(s:Staff {id: ...})` scans every staff member.
MATCH (s:Person {id: $staff_id})-[:WORKS_AT]->(st:Store)
WHERE s:Staff
RETURN st.id AS store_id
