// Betweenness centrality (gds.betweenness, Brandes; exact, unweighted shortest paths) on a
// store's projected ties (gds/project_store_ties, undirected): for each person, the number of
// shortest paths between two others that pass through them, each pair counted once (as
// networkx's unnormalised betweenness on an undirected graph).
// mode: read
// params: $graph_name
// columns: ids ([person id]), scores ([float])
CALL gds.betweenness.stream($graph_name)
YIELD nodeId, score
RETURN collect(gds.util.asNode(nodeId).id) AS ids, collect(score) AS scores
