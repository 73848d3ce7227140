// Sales attribution (DESIGN.md §5 "Sales attribution", members brought and conversion): every
// customer of the store (non-staff, HOME at the store) who has a referrer was brought by the
// nearest person above them in the referral chain who is staff, or who was an agent when the
// customer first appeared (agent_since <= first_seen). Counts per bringer how many such
// people, and how many of them are members now. People in $excluded_ids (flagged: graph.fraud)
// are brought by nobody.
// One row per bringer.
// mode: read
// params: $store_id, $excluded_ids ([person id] (empty: none))
// columns: person_id, display_name, role, staff_store_id, agent_store_id, agent_since, people,
//   members
MATCH (:Store {id: $store_id})<-[:HOME]-(p:Person)
WHERE NOT p:Staff AND NOT p.id IN $excluded_ids
CALL (p) {
  MATCH chain = (c:Person)-[:REFERRED*1..]->(p)
  WHERE c:Staff OR c.agent_since <= p.first_seen
  RETURN c
  ORDER BY length(chain)
  LIMIT 1
}
RETURN c.id AS person_id, c.display_name AS display_name, c.role AS role,
       c.staff_store_id AS staff_store_id, c.agent_store_id AS agent_store_id,
       c.agent_since AS agent_since, count(p) AS people,
       count(CASE WHEN p:Member THEN 1 END) AS members
ORDER BY person_id
