// The brand's most influential people by stored brand-wide influence (DESIGN.md §5
// "Influence"); ties ordered by person id. Scores come from the last influence refresh.
// mode: read
// params: $limit
// columns: id, influence, store_influence, store_influence_pct, store_id, role, display_name,
//   member, agent
MATCH (p:Person)
WHERE p.influence > 0
WITH p ORDER BY p.influence DESC, p.id LIMIT $limit
OPTIONAL MATCH (p)-[:HOME]->(st:Store)
RETURN p.id AS id, p.influence AS influence, p.store_influence AS store_influence,
       p.store_influence_pct AS store_influence_pct, st.id AS store_id, p.role AS role,
       p.display_name AS display_name, p:Member AS member, p:Agent AS agent
ORDER BY influence DESC, id
