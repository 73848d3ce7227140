// Rings (graph.fraud): every person of a projected customer engagement graph
// (gds/project_customer_engagement) with their weakly connected component (gds.wcc).
// mode: read
// params: $graph_name
// columns: ids ([person id]), components ([int])
CALL gds.wcc.stream($graph_name) YIELD nodeId, componentId
RETURN collect(gds.util.asNode(nodeId).id) AS ids, collect(componentId) AS components
