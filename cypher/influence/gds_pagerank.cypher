// PageRank by gds.pageRank (DESIGN.md §5 "Influence": damping $damping, weighted by `weight`)
// over the relationship types $types of a projected engagement graph (gds/project_engagement).
// The scores are GDS's own: a teleport of (1 - d) per node and no redistribution of dangling
// nodes' rank, so they do not sum to 1; graph.influence rescales them per ranked graph (which
// gives networkx's values: see there).
// mode: read
// params: $graph_name, $types ([relationship type]), $damping, $max_iterations, $tolerance
// columns: ids ([person id]), scores ([float] (scores[i] is ids[i]'s))
CALL gds.pageRank.stream($graph_name, {
  relationshipTypes: $types, relationshipWeightProperty: 'weight', dampingFactor: $damping,
  maxIterations: $max_iterations, tolerance: $tolerance
})
YIELD nodeId, score
RETURN collect(gds.util.asNode(nodeId).id) AS ids, collect(score) AS scores
