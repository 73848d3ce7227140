// Agent candidates (DESIGN.md §5 "Agent candidates"): each store's members who are not agents
// (non-staff :Member people whose HOME is the store, without :Agent), ranked by stored store
// influence (refresh_influence; never scored = 0), then reach(p, 3), then spend (the amount
// of all their orders), then id; only those with reach(p, 3) >= $min_reach3 (0: every
// member). reach(p, 3) is the stored Person.reach3 (derive/reach3; none stored = 0).
// `eligible` counts them; `candidates` holds the first $limit.
// One row per store.
// mode: read
// params: $store_id (null: every store), $limit (candidates per store), $min_reach3
// columns: store_id, members, agents, eligible, candidates ([{id, store_influence,
//   store_influence_pct, reach3, orders, cents}])
MATCH (s:Store)
WHERE $store_id IS NULL OR s.id = $store_id
CALL (s) {
  OPTIONAL MATCH (p:Person)-[:HOME]->(s)
    WHERE p:Member AND NOT p:Agent AND NOT p:Staff
  WITH p,
       coalesce(p.reach3, 0) AS reach3
  WHERE reach3 >= $min_reach3
  CALL (p) {
    OPTIONAL MATCH (p)-[:PLACED]->(o:Order)
    RETURN count(o) AS orders, sum(toInteger(round(o.amount * 100))) AS cents
  }
  WITH p, reach3, orders, cents, coalesce(p.store_influence, 0.0) AS influence
  ORDER BY influence DESC, reach3 DESC, cents DESC, p.id
  RETURN count(p) AS eligible,
         collect(CASE WHEN p IS NOT NULL THEN {id: p.id, store_influence: influence,
                                        store_influence_pct: p.store_influence_pct,
                                        reach3: reach3, orders: orders, cents: cents} END
         )[..$limit] AS candidates
}
RETURN s.id AS store_id,
       COUNT { (m:Person)-[:HOME]->(s) WHERE m:Member AND NOT m:Staff } AS members,
       COUNT { (a:Person)-[:HOME]->(s) WHERE a:Agent AND NOT a:Staff } AS agents,
       eligible, candidates
ORDER BY store_id
