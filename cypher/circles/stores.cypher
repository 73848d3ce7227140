// Stores whose network has at least one social tie between two of its people: the ones circles
// are computed for (graph.circles).
// mode: read
// params: none
// columns: store_id
MATCH (st:Store)
WHERE EXISTS { (st)<-[:HOME]-(:Person)-[:KNOWS]->(:Person)-[:HOME]->(st) }
RETURN st.id AS store_id
ORDER BY store_id
