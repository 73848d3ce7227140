// Sales attribution (DESIGN.md §5 "Sales attribution"): the store's staff (WORKS_AT) and its
// agents (agent_store_id), who get a row in the store's attribution even without sales.
// mode: read
// params: $store_id
// columns: store_found, person_id, display_name, role, staff_store_id, agent_store_id, agent_since
//   (one row with store_found and a null person_id when there is nobody)
OPTIONAL MATCH (s:Store {id: $store_id})
OPTIONAL CALL (s) {
  MATCH (c:Staff)-[:WORKS_AT]->(s)
  RETURN c
  UNION
  MATCH (c:Agent {agent_store_id: s.id})
  RETURN c
}
RETURN s IS NOT NULL AS store_found, c.id AS person_id, c.display_name AS display_name,
       c.role AS role, c.staff_store_id AS staff_store_id, c.agent_store_id AS agent_store_id,
       c.agent_since AS agent_since
ORDER BY person_id
