// The people drawn on a store's network map, with what their map node shows: role (staff,
// agent, member or prospect, first that applies), store influence (DESIGN.md §5 "Influence",
// ranked within their home store's network), reach(p, 1) and reach(p, 3) (DESIGN.md §5
// "Reach"; reach(p, 3) as stored: derive/reach3), their referrer (DESIGN.md §5 "Referrer")
// and their 3 strongest interest tags (DESIGN.md §5 "Interest tags"). Everyone whose HOME is
// the store (with $everyone), or only its staff (with $staff), and the people in $ids, who may
// belong to another store (e.g. on an introduction path).
// mode: read
// params: $store_id, $everyone (bool), $staff (bool), $ids ([person id])
// columns: id, home_store_id, staff, staff_role, display_name, member, agent, referrer, influence,
//   influence_pct, reach1, reach3, interests ([topic name] (strongest first))
MATCH (s:Store {id: $store_id})
CALL (s) {
  WITH s
  WHERE $everyone
  MATCH (p:Person)-[:HOME]->(s)
  RETURN p
  UNION
  WITH s
  WHERE $staff
  MATCH (p:Staff)-[:HOME]->(s)
  RETURN p
  UNION
  UNWIND $ids AS id
  MATCH (p:Person {id: id})
  RETURN p
}
OPTIONAL MATCH (p)-[:HOME]->(home:Store)
OPTIONAL MATCH (referrer:Person)-[:REFERRED]->(p)
CALL (p) {
  OPTIONAL MATCH (p)-[i:INTERESTED_IN]->(t:Topic)
  WITH t, i
  ORDER BY i.score DESC, t.name
  LIMIT 3
  RETURN collect(t.name) AS interests
}
RETURN p.id AS id, home.id AS home_store_id, p:Staff AS staff, p.role AS staff_role,
       p.display_name AS display_name, p:Member AS member, p:Agent AS agent,
       referrer.id AS referrer, coalesce(p.store_influence, 0.0) AS influence,
       p.store_influence_pct AS influence_pct,
       COUNT { (p)-[:REFERRED]->(:Person) } AS reach1,
       coalesce(p.reach3, 0) AS reach3,
       interests
ORDER BY id
