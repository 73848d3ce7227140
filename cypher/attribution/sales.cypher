// Sales attribution (DESIGN.md §5 "Sales attribution"): every order placed at the store is
// credited to the nearest person up the buyer's referral chain who is staff, or who was an
// agent at the time of the order (agent_since <= order time); the buyer themself counts only
// as an agent, never as staff. Orders with no such person are unattributed (null credit), and
// so are the orders of the buyers in $excluded_ids (flagged credit left out: graph.fraud),
// reported apart (excluded).
// One row per credited person, plus one for the unattributed and one for the excluded orders.
// mode: read
// params: $store_id, $excluded_ids ([person id] (empty: none))
// columns: person_id (null: unattributed or excluded), display_name, role, staff_store_id,
//   agent_store_id, agent_since, excluded, amount, orders
MATCH (:Store {id: $store_id})<-[:AT]-(o:Order)<-[:PLACED]-(buyer:Person)
WITH o, buyer, buyer.id IN $excluded_ids AS excluded
OPTIONAL CALL (buyer, o, excluded) {
  MATCH chain = (c:Person)-[:REFERRED*0..]->(buyer)
  WHERE NOT excluded AND (c.agent_since <= o.at OR (c:Staff AND c <> buyer))
  RETURN c
  ORDER BY length(chain)
  LIMIT 1
}
RETURN c.id AS person_id, c.display_name AS display_name, c.role AS role,
       c.staff_store_id AS staff_store_id, c.agent_store_id AS agent_store_id,
       c.agent_since AS agent_since, excluded, sum(o.amount) AS amount, count(o) AS orders
ORDER BY person_id
