// Whom to seed: gds.influenceMaximization.celf (CELF lazy greedy over independent-cascade Monte
// Carlo) on a store's spread graph (gds/project_store_spread): $k people, each relationship
// passing the share on with probability $probability, $simulations runs, a fixed $random_seed.
// GDS streams the picks unordered, each with its marginal gain (in GDS's own estimate); picks
// are in order of decreasing gain, ties by id.
// mode: read
// params: $graph_name, $k, $probability, $simulations, $random_seed
// columns: person_id, gain
CALL gds.influenceMaximization.celf.stream($graph_name, {
  seedSetSize: $k, propagationProbability: $probability, monteCarloSimulations: $simulations,
  randomSeed: $random_seed
})
YIELD nodeId, spread
RETURN gds.util.asNode(nodeId).id AS person_id, spread AS gain
ORDER BY gain DESC, person_id
