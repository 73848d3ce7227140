// Value by acquisition source and by generation (DESIGN.md §5 "Customer value"), over each
// store's customers (non-staff, HOME at the store) who first appeared before $end (and at or
// after $since, unless it is null):
// - source: what their referrer was when the REFERRED edge was made (its `at`, the referee's
//   first appearance): 'staff' (staff since then), 'agent' (agent_since by then), 'member'
//   (member_since — first order or import as member — by then), 'prospect' otherwise, and
//   'none' for a root (no referrer); the first that applies, in that order;
// - generation: REFERRED edges from their nearest staff ancestor down to them (null: none);
// - people, buyers (an order before $end), orders and cents (the amount in cents) before $end.
// One row per store, source and generation that has people.
// Each store's people are found from the store: only people have HOME relationships, so
// `p` needs no label, and without one the planner does not start from the first_seen
// index and read every person's relationships to find their HOME.
// Only :Member people have orders (a paid order makes one), so the others are not expanded.
// mode: read
// params: $store_id (null: every store), $since (datetime; null: no lower bound), $end
//   (datetime)
// columns: store_id, source, generation (null: no staff ancestor), people, buyers, orders, cents
MATCH (s:Store)
WHERE $store_id IS NULL OR s.id = $store_id
CALL (s) {
  MATCH (s)<-[:HOME]-(p)
  WHERE NOT p:Staff AND p.first_seen < $end
    AND ($since IS NULL OR p.first_seen >= $since)
  OPTIONAL MATCH (r:Person)-[e:REFERRED]->(p)
  WITH p, CASE
            WHEN r IS NULL THEN 'none'
            WHEN r:Staff AND coalesce(r.staff_since <= e.at, true) THEN 'staff'
            WHEN r.agent_since <= e.at THEN 'agent'
            WHEN r.member_since <= e.at THEN 'member'
            ELSE 'prospect'
          END AS source
  CALL (p) {
    OPTIONAL MATCH chain = (:Staff)-[:REFERRED*1..]->(p)
    RETURN min(length(chain)) AS generation
  }
  CALL (p) {
    OPTIONAL MATCH (p:Member)-[:PLACED]->(o:Order)
      WHERE o.at < $end
    RETURN count(o) AS orders, sum(toInteger(round(o.amount * 100))) AS cents
  }
  RETURN source, generation, count(p) AS people,
         count(CASE WHEN orders > 0 THEN 1 END) AS buyers, sum(orders) AS orders, sum(cents) AS cents
}
RETURN s.id AS store_id, source, generation, people, buyers, orders, cents
ORDER BY store_id, source, generation
