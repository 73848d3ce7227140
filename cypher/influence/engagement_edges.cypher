// Engagement graph, brand-wide (DESIGN.md §5 "Influence"): for every visitor v and sharer
// s <> v, an edge v -> s weighted by the number of distinct shares of s that v visited.
// Grouped by the visitor's home store (null: no home), edges nested per visitor, so that
// millions of edges cross the wire as a few compact records.
// mode: read
// params: none
// columns: store_id, visitors ([person id]), sharers ([[person id]]), weights ([[int]] (sharers[i]
//   and weights[i] are the edges out of visitors[i]))
MATCH (s:Person)-[:SHARED]->(sh:Share)<-[:VISITED]-(v:Person)
WHERE v <> s
WITH v, s, count(DISTINCT sh) AS weight
WITH v, collect(s.id) AS sharers, collect(weight) AS weights
OPTIONAL MATCH (v)-[:HOME]->(st:Store)
RETURN st.id AS store_id, collect(v.id) AS visitors, collect(sharers) AS sharers,
       collect(weights) AS weights
