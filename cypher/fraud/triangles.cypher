// Rings (graph.fraud): every person of a projected customer engagement graph
// (gds/project_customer_engagement) with the number of triangles they are part of
// (gds.triangleCount).
// mode: read
// params: $graph_name
// columns: ids ([person id]), triangles ([int])
CALL gds.triangleCount.stream($graph_name) YIELD nodeId, triangleCount
RETURN collect(gds.util.asNode(nodeId).id) AS ids, collect(triangleCount) AS triangles
