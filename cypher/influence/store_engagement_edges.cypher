// Engagement graph of one store's network (DESIGN.md §5 "Influence"): the edges v -> s among
// people whose HOME is the store, weighted by the distinct shares of s that v visited.
// mode: read
// params: $store_id
// columns: visitor, sharer, weight (ordered by visitor, sharer)
MATCH (st:Store {id: $store_id})<-[:HOME]-(s:Person)-[:SHARED]->(sh:Share)<-[:VISITED]-(v:Person)
WHERE v <> s AND (v)-[:HOME]->(st)
WITH v, s, count(DISTINCT sh) AS weight
RETURN v.id AS visitor, s.id AS sharer, weight
ORDER BY visitor, sharer
