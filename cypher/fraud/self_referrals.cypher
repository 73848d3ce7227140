// Self-referral (graph.fraud): agents at least $min_people of whose referees are "new" people
// who (1) first appeared after the referrer became an agent, so the agent earns the credit for
// their orders (DESIGN.md §5 "Sales attribution"); (2) have no social tie but the agent (one
// KNOWS tie), never share and are not agents or staff; (3) bought only at the agent's store,
// the first time within $max_hours of their first appearance.
// mode: read
// params: $max_hours, $min_people
// columns: agent_id, store_id, agent_since, people ([{id, first_seen, first_order_at, orders,
//   amount}])
MATCH (a:Person)-[:REFERRED]->(p:Person)
WHERE a.agent_since IS NOT NULL AND a.agent_since <= p.first_seen
  AND NOT p:Staff AND NOT p:Agent
  AND NOT EXISTS { (p)-[:SHARED]->() }
  AND COUNT { (p)-[:KNOWS]-() } = 1
  AND NOT EXISTS { (p)-[:PLACED]->(:Order)-[:AT]->(x:Store) WHERE x.id <> a.agent_store_id }
CALL (p) {
  MATCH (p)-[:PLACED]->(o:Order)
  RETURN min(o.at) AS first_order_at, count(o) AS orders, sum(o.amount) AS amount
}
WITH a, p, first_order_at, orders, amount
WHERE orders > 0 AND first_order_at <= p.first_seen + duration({hours: $max_hours})
WITH a, collect({id: p.id, first_seen: p.first_seen, first_order_at: first_order_at,
                 orders: orders, amount: amount}) AS people
WHERE size(people) >= $min_people
RETURN a.id AS agent_id, a.agent_store_id AS store_id, a.agent_since AS agent_since, people
ORDER BY agent_id
