// Whether one customer of a store is a key node (DESIGN.md §5 "Key node"): the rule of
// keynodes/store.cypher asked about one person, without ranking the whole store. A customer is
// among the ceil(top_share × customers) highest store influence, ties included, exactly when
// fewer than that many customers score strictly higher (and their own score is positive); their
// rank is 1 + that number; reach3 is the stored one (derive/reach3).
// tests/graph/test_keynodes.py checks both files agree.
// mode: read
// params: $store_id, $person_id, $top_share (0.01 = 1%), $min_reach3
// columns: found, customers, top_k, nodes ([{id, store_influence, influence, store_influence_pct,
//   rank, reach3, top, member, agent}]: the person when a key node, else empty)
OPTIONAL MATCH (st:Store {id: $store_id})
OPTIONAL MATCH (p:Person {id: $person_id})-[:HOME]->(st)
WHERE NOT p:Staff
WITH st, p, coalesce(p.store_influence, 0.0) AS score
CALL (st, score) {
  MATCH (c:Person)-[:HOME]->(st)
  WHERE NOT c:Staff
  RETURN count(*) AS customers,
         count(CASE WHEN coalesce(c.store_influence, 0.0) > score THEN 1 END) AS higher
}
// round() guards against 0.01 * 300 = 3.0000000000000004 turning into 4.
WITH st, p, score, customers, higher, toInteger(ceil(round($top_share * customers, 9))) AS wanted
WITH st, p, score, customers, higher,
     CASE WHEN wanted > customers THEN customers ELSE wanted END AS top_k
WITH st, p, score, customers, higher, top_k, score > 0 AND higher < top_k AS top,
     coalesce(p.reach3, 0) AS reach3
RETURN st IS NOT NULL AS found, customers, top_k,
       CASE WHEN p IS NOT NULL AND (top OR reach3 >= $min_reach3)
            THEN [{id: p.id, store_influence: score, influence: coalesce(p.influence, 0.0),
                   store_influence_pct: p.store_influence_pct, rank: higher + 1, reach3: reach3,
                   top: top, member: p:Member, agent: p:Agent}]
            ELSE [] END AS nodes
