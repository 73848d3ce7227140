// A store network's most influential people by stored store influence (DESIGN.md §5
// "Influence", ranked over the edges among the store network's people); ties by person id.
// mode: read
// params: $store_id, $limit
// columns: store_found, id, influence, store_influence, store_influence_pct, store_id, role,
//   display_name, member, agent (one row with store_found and null id when none rank)
OPTIONAL MATCH (st:Store {id: $store_id})
OPTIONAL CALL (st) {
  MATCH (p:Person)-[:HOME]->(st)
  WHERE p.store_influence > 0
  RETURN p ORDER BY p.store_influence DESC, p.id LIMIT $limit
}
RETURN st IS NOT NULL AS store_found, p.id AS id, p.influence AS influence,
       p.store_influence AS store_influence, p.store_influence_pct AS store_influence_pct,
       st.id AS store_id, p.role AS role, p.display_name AS display_name,
       p:Member AS member, p:Agent AS agent
ORDER BY store_influence DESC, id
