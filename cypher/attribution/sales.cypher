// Sales attribution (DESIGN.md §5 "Sales attribution"): every order placed at the store is
// credited to the nearest person up the buyer's referral chain who is staff, or who was an
// agent at the time of the order (agent_since <= order time); the buyer themself counts only
// as an agent, never as staff. Orders with no such person are unattributed (null credit).
// One row per credited person, plus one for the unattributed orders if any.
// mode: read
// params: $store_id
// columns: person_id (null: unattributed), display_name, role, staff_store_id, agent_store_id,
//   agent_since, amount, orders
MATCH (:Store {id: $store_id})<-[:AT]-(o:Order)<-[:PLACED]-(buyer:Person)
OPTIONAL CALL (buyer, o) {
  MATCH chain = (c:Person)-[:REFERRED*0..]->(buyer)
  WHERE c.agent_since <= o.at OR (c:Staff AND c <> buyer)
  RETURN c
  ORDER BY length(chain)
  LIMIT 1
}
RETURN c.id AS person_id, c.display_name AS display_name, c.role AS role,
       c.staff_store_id AS staff_store_id, c.agent_store_id AS agent_store_id,
       c.agent_since AS agent_since, sum(o.amount) AS amount, count(o) AS orders
ORDER BY person_id
