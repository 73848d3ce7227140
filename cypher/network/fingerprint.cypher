// A store network's size by role and a cheap fingerprint of it (DESIGN.md §5 "Home store":
// a store's network is the people whose HOME is the store, staff included). Roles, first that
// applies: staff, agent, member, prospect. The fingerprint changes when someone joins or leaves
// the network, changes role, gains or loses a referrer, has their first appearance corrected,
// or gets new influence scores; the map layout cache is keyed by it.
// Parameters: $store_id.
// Returns: found, name, city, people, staff, agents, members, prospects, referred,
//          latest_first_seen, first_seen_sum (epoch seconds), scored_at (latest influence_at).
OPTIONAL MATCH (s:Store {id: $store_id})
CALL (s) {
  MATCH (p:Person)-[:HOME]->(s)
  RETURN count(p) AS people,
         count(CASE WHEN p:Staff THEN 1 END) AS staff,
         count(CASE WHEN NOT p:Staff AND p:Agent THEN 1 END) AS agents,
         count(CASE WHEN NOT p:Staff AND NOT p:Agent AND p:Member THEN 1 END) AS members,
         count(CASE WHEN EXISTS { (:Person)-[:REFERRED]->(p) } THEN 1 END) AS referred,
         max(p.first_seen) AS latest_first_seen,
         sum(coalesce(p.first_seen.epochSeconds, 0)) AS first_seen_sum,
         max(p.influence_at) AS scored_at
}
RETURN s IS NOT NULL AS found, s.name AS name, s.city AS city, people, staff, agents, members,
       people - staff - agents - members AS prospects, referred, latest_first_seen,
       first_seen_sum, scored_at
