// One staff member's own figures in [$start, $end) (graph.attribution.staff_figures), by the
// rules of DESIGN.md §5 "Sales attribution" as the store's leaderboard applies them
// (cypher/attribution/brought.cypher and sales.cypher), limited to the window:
// - people_brought: customers of the staff member's store (non-staff, HOME there) first seen
//   in the window whose nearest staff-or-agent ancestor (an agent counting from agent_since
//   <= the customer's first_seen) is this staff member;
// - members_brought: customers brought by the staff member (same rule, whenever they first
//   appeared) who became members in the window;
// - orders, amount: orders placed at the store in the window credited to the staff member (the
//   nearest ancestor of the buyer who is staff other than the buyer, or was an agent when
//   ordering);
// - people_contacted: distinct people the staff member noted as contacted or visited.
// Only the staff member's descendants in the referral forest can be credited, so the walk
// starts from them.
// mode: read
// params: $staff_id, $start (datetime), $end (datetime)
// columns: found, staff_id, display_name, role, store_id, people_brought, members_brought,
//   orders, amount, people_contacted
// Staff are found through the Person id index: `(s:Staff {id: ...})` scans every staff member.
OPTIONAL MATCH (s:Person {id: $staff_id}) WHERE s:Staff
CALL (s) {
  OPTIONAL MATCH (s)-[:REFERRED*1..]->(p:Person)-[:HOME]->(home:Store)
    WHERE home.id = s.staff_store_id AND NOT p:Staff
      AND ($start <= p.first_seen < $end OR (p:Member AND $start <= p.member_since < $end))
  OPTIONAL CALL (p) {
    MATCH chain = (c:Person)-[:REFERRED*1..]->(p)
    WHERE c:Staff OR c.agent_since <= p.first_seen
    RETURN c
    ORDER BY length(chain)
    LIMIT 1
  }
  WITH p, c
  WHERE c = s
  RETURN count(CASE WHEN $start <= p.first_seen < $end THEN 1 END) AS people_brought,
         count(CASE WHEN p:Member AND $start <= p.member_since < $end THEN 1 END)
           AS members_brought
}
CALL (s) {
  OPTIONAL MATCH (s)-[:REFERRED*1..]->(b:Person)-[:PLACED]->(o:Order)-[:AT]->(at:Store)
    WHERE at.id = s.staff_store_id AND $start <= o.at < $end
  OPTIONAL CALL (b, o) {
    MATCH chain = (c:Person)-[:REFERRED*0..]->(b)
    WHERE c.agent_since <= o.at OR (c:Staff AND c <> b)
    RETURN c
    ORDER BY length(chain)
    LIMIT 1
  }
  WITH o, c
  WHERE c = s
  RETURN count(o) AS orders, coalesce(sum(o.amount), 0.0) AS amount
}
CALL (s) {
  OPTIONAL MATCH (s)-[n:NOTED]->(p:Person)
    WHERE n.kind IN ['contacted', 'visited'] AND $start <= n.at < $end
  RETURN count(DISTINCT p) AS people_contacted
}
RETURN s IS NOT NULL AS found, s.id AS staff_id, s.display_name AS display_name,
       s.role AS role, s.staff_store_id AS store_id, people_brought, members_brought, orders,
       amount, people_contacted
