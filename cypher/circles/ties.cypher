// One store network's social ties (DESIGN.md §5 "Social ties"): the KNOWS ties between two
// people whose HOME is the store, each once (from the smaller id to the larger, as stored).
// mode: read
// params: $store_id
// columns: a, b, weight
MATCH (st:Store {id: $store_id})<-[:HOME]-(a:Person)-[k:KNOWS]->(b:Person)-[:HOME]->(st)
RETURN a.id AS a, b.id AS b, k.weight AS weight
ORDER BY a, b
