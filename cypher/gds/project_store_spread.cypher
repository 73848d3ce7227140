// One store network's spread graph for influence maximisation (graph.seeds): a relationship
// s -> v when v, of the same home store, visited a share of s (v <> s), i.e. s's sharing has
// reached v before. Each pair once; the people are those on such an edge.
// mode: read
// params: $graph_name, $store_id
// columns: graph_name (null when the store has no such edge), nodes, relationships
MATCH (st:Store {id: $store_id})<-[:HOME]-(s:Person)-[:SHARED]->(:Share)<-[:VISITED]-(v:Person)
WHERE v <> s AND (v)-[:HOME]->(st)
WITH DISTINCT s, v
WITH gds.graph.project($graph_name, s, v) AS g
RETURN g.graphName AS graph_name, g.nodeCount AS nodes, g.relationshipCount AS relationships
