// HQ overview (DESIGN.md §5 "Store diagnosis", the figures computed for all stores at once):
// one row per store. Over each store's customers (non-staff people whose HOME is the store):
// customers, members, agents, members_or_agents, new_people (first seen in [$since, $now)),
// and referred_by_members_or_agents (customers whose referrer is a member or agent customer of
// the same store). The referees are found from the members' side (few) and checked with the
// home-store rule (DESIGN.md §5 "Home store"): a referee who is neither staff nor an imported
// member has their referrer's home, so only imported members' HOME needs reading. With
// $store_id, that store's row only (a store key's view).
// mode: read
// params: $since (datetime), $now (datetime), $store_id (null: every store)
// columns: store_id, name, city, region, customers, members, agents, members_or_agents,
//   referred_by_members_or_agents, new_people
MATCH (s:Store)
WHERE $store_id IS NULL OR s.id = $store_id
CALL (s) {
  OPTIONAL MATCH (p:Person)-[:HOME]->(s)
    WHERE NOT p:Staff
  RETURN count(p) AS customers,
         count(CASE WHEN p:Member THEN 1 END) AS members,
         count(CASE WHEN p:Agent THEN 1 END) AS agents,
         count(CASE WHEN p:Member OR p:Agent THEN 1 END) AS members_or_agents,
         count(CASE WHEN $since <= p.first_seen < $now THEN 1 END) AS new_people
}
CALL (s) {
  OPTIONAL MATCH (r:Person)-[:HOME]->(s)
    WHERE (r:Member OR r:Agent) AND NOT r:Staff
  OPTIONAL MATCH (r)-[:REFERRED]->(c:Person)
    WHERE NOT c:Staff AND (c.member_store_id IS NULL OR EXISTS { (c)-[:HOME]->(s) })
  RETURN count(c) AS referred_by_members_or_agents
}
RETURN s.id AS store_id, s.name AS name, s.city AS city, s.region AS region,
       customers, members, agents, members_or_agents, referred_by_members_or_agents,
       new_people
