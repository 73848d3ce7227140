// Circles: Leiden communities (gds.leiden, Traag et al. 2019) on a store's projected ties
// (gds/project_store_ties), weighted by tie weight, with resolution $gamma, randomness $theta,
// at most $max_levels levels, a fixed $random_seed and one thread (the same ties give the same
// circles).
// mode: read
// params: $graph_name, $gamma, $theta, $max_levels, $random_seed
// columns: ids ([person id]), communities ([int] (communities[i] is ids[i]'s))
CALL gds.leiden.stream($graph_name, {
  relationshipWeightProperty: 'weight', gamma: $gamma, theta: $theta, maxLevels: $max_levels,
  randomSeed: $random_seed, concurrency: 1
})
YIELD nodeId, communityId
RETURN collect(gds.util.asNode(nodeId).id) AS ids, collect(communityId) AS communities
