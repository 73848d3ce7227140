// Store diagnosis (DESIGN.md §5 "Store diagnosis"): the head counts of one store's network in
// one pass over its customers (the non-staff people whose HOME is the store).
// - fission: customers whose referrer is a member or agent customer of the same store;
// - plan (100 -> 10 -> 100): `reached` = customers not imported as members (brought in by the
//   programme), `new_members` = reached customers who became members, `brought_by_new` =
//   customers a new member referred after becoming a member;
// - `weeks`: for each customer first seen in [$since, $now), the index of their 7-day week
//   counted from $since (0..7), bucketed by the caller.
// mode: read
// params: $store_id, $since (datetime), $now (datetime)
// columns: store_id, name, city, region, customers, members, agents, members_or_agents,
//   referred_by_members_or_agents, reached, new_members, brought_by_new, weeks (no row for an
//   unknown store)
MATCH (s:Store {id: $store_id})
OPTIONAL MATCH (p:Person)-[:HOME]->(s)
  WHERE NOT p:Staff
OPTIONAL MATCH (r:Person)-[e:REFERRED]->(p)
  WHERE NOT r:Staff AND EXISTS { (r)-[:HOME]->(s) }
WITH s, p,
     r IS NOT NULL AND (r:Member OR r:Agent) AS by_member_or_agent,
     r IS NOT NULL AND r:Member AND r.imported_member_since IS NULL
       AND e.at >= r.member_since AS by_new_member
RETURN s.id AS store_id, s.name AS name, s.city AS city, s.region AS region,
       count(p) AS customers,
       count(CASE WHEN p:Member THEN 1 END) AS members,
       count(CASE WHEN p:Agent THEN 1 END) AS agents,
       count(CASE WHEN p:Member OR p:Agent THEN 1 END) AS members_or_agents,
       count(CASE WHEN by_member_or_agent THEN 1 END) AS referred_by_members_or_agents,
       count(CASE WHEN p IS NOT NULL AND p.imported_member_since IS NULL THEN 1 END) AS reached,
       count(CASE WHEN p:Member AND p.imported_member_since IS NULL THEN 1 END) AS new_members,
       count(CASE WHEN by_new_member THEN 1 END) AS brought_by_new,
       collect(CASE WHEN p.first_seen >= $since AND p.first_seen < $now
                    THEN duration.inSeconds($since, p.first_seen).seconds / 604800 END) AS weeks
