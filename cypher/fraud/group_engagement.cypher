// Rings (graph.fraud): the engagement among a group of people: every (visitor, sharer) pair of
// them with the shares visited and re-shared, and each member's home store and activity
// outside the group.
// mode: read
// params: $ids ([person id])
// columns: edges ([{visitor, sharer, visits, reshares}]), members ([{id, store_id, orders,
//   outside_visits}])
MATCH (p:Person) WHERE p.id IN $ids
WITH collect(p) AS group
CALL (group) {
  UNWIND group AS v
  MATCH (v)-[:VISITED]->(sh:Share)<-[:SHARED]-(s:Person)
  WHERE s IN group AND s <> v
  WITH v, s, count(DISTINCT sh) AS visits,
       COUNT { (v)-[:SHARED]->(:Share)-[:RESHARE_OF]->(:Share)<-[:SHARED]-(s) } AS reshares
  RETURN collect({visitor: v.id, sharer: s.id, visits: visits, reshares: reshares}) AS edges
}
RETURN edges,
       [p IN group | {id: p.id,
                      store_id: COLLECT { MATCH (p)-[:HOME]->(st:Store) RETURN st.id }[0],
                      orders: COUNT { (p)-[:PLACED]->() },
                      outside_visits: COUNT { (p)-[:VISITED]->(:Share)<-[:SHARED]-(o:Person)
                                              WHERE NOT o IN group }}] AS members
