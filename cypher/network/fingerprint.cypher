// A store network's size by role and a cheap fingerprint of it (DESIGN.md §5 "Home store":
// a store's network is the people whose HOME is the store, staff included). `mix` counts its
// people per combination of the labels that decide a role (graph.roles applies the rule). The
// fingerprint changes when someone joins or leaves the network, changes role, gains or loses a
// referrer, has their first appearance corrected, or gets new influence scores; the map layout
// cache is keyed by it.
// mode: read
// params: $store_id
// columns: found, name, city, people, mix ([{staff, agent, member, people}]), referred,
//   latest_first_seen, first_seen_sum (epoch seconds), scored_at (latest influence_at)
OPTIONAL MATCH (s:Store {id: $store_id})
CALL (s) {
  MATCH (p:Person)-[:HOME]->(s)
  RETURN count(p) AS people,
         count(CASE WHEN EXISTS { (:Person)-[:REFERRED]->(p) } THEN 1 END) AS referred,
         max(p.first_seen) AS latest_first_seen,
         sum(coalesce(p.first_seen.epochSeconds, 0)) AS first_seen_sum,
         max(p.influence_at) AS scored_at
}
CALL (s) {
  MATCH (p:Person)-[:HOME]->(s)
  WITH p:Staff AS staff, p:Agent AS agent, p:Member AS member, count(*) AS people
  ORDER BY staff, agent, member
  RETURN collect({staff: staff, agent: agent, member: member, people: people}) AS mix
}
RETURN s IS NOT NULL AS found, s.name AS name, s.city AS city, people, mix, referred,
       latest_first_seen, first_seen_sum, scored_at
