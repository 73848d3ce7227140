// The store a staff member works at: recommended contacts come from its key nodes
// (DESIGN.md §5 "Recommended contacts").
// mode: read
// params: $staff_id
// columns: store_id (no row: unknown staff member)
MATCH (s:Staff {id: $staff_id})-[:WORKS_AT]->(st:Store)
RETURN st.id AS store_id
