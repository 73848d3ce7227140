// The people with at least one relationship of the types $types in a projected engagement graph
// (gds/project_engagement), with their number of such relationships (in and out): who is on an
// edge of a store network, the graph a store's influence is ranked over (DESIGN.md §5).
// mode: read
// params: $graph_name, $types ([relationship type])
// columns: ids ([person id]), degrees ([int])
CALL gds.degree.stream($graph_name, {relationshipTypes: $types, orientation: 'UNDIRECTED'})
YIELD nodeId, score
WITH nodeId, score WHERE score > 0
RETURN collect(gds.util.asNode(nodeId).id) AS ids, collect(toInteger(score)) AS degrees
