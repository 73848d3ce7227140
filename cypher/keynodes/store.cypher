// Key nodes of a store (DESIGN.md §5 "Key node"): customers (non-staff people whose HOME is
// the store) among the ceil(top_share × customers) highest store influence, ties included
// (a positive score at least the k-th highest), or with reach(p, 3) >= $min_reach3.
// Reads the stored store_influence (refresh_influence must have run) and the stored reach3
// (derivation keeps it current: derive/reach3; none stored = 0). `rank` is 1 + the number
// of the store's customers with a higher store influence. keynodes/person.cypher asks the same
// rule about one person (a profile) without ranking the whole store.
// mode: read
// params: $store_id, $top_share (0.01 = 1%), $min_reach3
// columns: found, customers, top_k, nodes ([{id, store_influence, influence, store_influence_pct,
//   rank, reach3, top, member, agent}])
OPTIONAL MATCH (st:Store {id: $store_id})
CALL (st) {
  MATCH (c:Person)-[:HOME]->(st)
  WHERE NOT c:Staff
  WITH coalesce(c.store_influence, 0.0) AS score
  ORDER BY score DESC
  RETURN count(*) AS customers, collect(score) AS scores
}
// round() guards against 0.01 * 300 = 3.0000000000000004 turning into 4.
WITH st, customers, scores, toInteger(ceil(round($top_share * customers, 9))) AS wanted
WITH st, customers, scores, CASE WHEN wanted > customers THEN customers ELSE wanted END AS top_k
WITH st, customers, scores, top_k, CASE WHEN top_k >= 1 THEN scores[top_k - 1] END AS threshold
CALL (st, scores, threshold) {
  MATCH (p:Person)-[:HOME]->(st)
  WHERE NOT p:Staff
  WITH p, coalesce(p.store_influence, 0.0) AS score
  WITH p, score, coalesce(score > 0 AND score >= threshold, false) AS top,
       coalesce(p.reach3, 0) AS reach3
  WHERE top OR reach3 >= $min_reach3
  // The customers scoring higher are a prefix of the descending `scores`: its length by
  // binary search (a third of the query's time at 2 600 customers when every key node counted
  // the whole list); `bounds`, [lo, hi), narrows to the first index whose score is not higher.
  WITH p, score, top, reach3,
       reduce(bounds = [0, size(scores)], halving IN range(1, 32) |
         CASE WHEN bounds[0] >= bounds[1] THEN bounds
              WHEN scores[(bounds[0] + bounds[1]) / 2] > score
                THEN [(bounds[0] + bounds[1]) / 2 + 1, bounds[1]]
              ELSE [bounds[0], (bounds[0] + bounds[1]) / 2] END)[0] + 1 AS rank
  ORDER BY score DESC, reach3 DESC, p.id
  RETURN collect({id: p.id, store_influence: score, influence: coalesce(p.influence, 0.0),
                  store_influence_pct: p.store_influence_pct, rank: rank, reach3: reach3,
                  top: top, member: p:Member, agent: p:Agent}) AS nodes
}
RETURN st IS NOT NULL AS found, customers, top_k, nodes
