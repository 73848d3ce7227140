// Introduction paths (DESIGN.md §5 "Introduction path") from a staff member to each target:
// the shortest paths over KNOWS (undirected, at most 6 hops), and among them the one with the
// greatest total tie weight; remaining ties broken by the sequence of person ids. Also says
// whether the two are friends (FRIEND_OF), i.e. already connected.
// Per target.
// mode: read
// params: $staff_id, $target_ids ([person id])
// columns: target_id, staff_found, target_found, friends, staff, target, people ([{id, staff, role,
//   display_name, member, agent}] (empty: no path)), ties ([{weight, friends, referral, visits}]
//   (ties[i] joins people[i] and people[i + 1]))
// Staff are found through the Person id index: `(s:Staff {id: ...})` scans every staff member.
OPTIONAL MATCH (s:Person {id: $staff_id}) WHERE s:Staff
UNWIND $target_ids AS target_id
OPTIONAL MATCH (t:Person {id: target_id})
OPTIONAL CALL (s, t) {
  WITH s, t
  WHERE s IS NOT NULL AND t IS NOT NULL AND s <> t
  MATCH path = allShortestPaths((s)-[:KNOWS*..6]-(t))
  WITH path, reduce(total = 0, r IN relationships(path) | total + r.weight) AS weight
  ORDER BY weight DESC, [n IN nodes(path) | n.id]
  LIMIT 1
  RETURN path
}
RETURN target_id, s IS NOT NULL AS staff_found, t IS NOT NULL AS target_found,
       coalesce(EXISTS { (s)-[:FRIEND_OF]-(t) }, false) AS friends,
       CASE WHEN s IS NOT NULL
            THEN {id: s.id, staff: true, role: s.role, display_name: s.display_name,
                  member: s:Member, agent: s:Agent} END AS staff,
       CASE WHEN t IS NOT NULL
            THEN {id: t.id, staff: t:Staff, role: t.role, display_name: t.display_name,
                  member: t:Member, agent: t:Agent} END AS target,
       [n IN coalesce(nodes(path), []) |
         {id: n.id, staff: n:Staff, role: n.role, display_name: n.display_name,
          member: n:Member, agent: n:Agent}] AS people,
       [r IN coalesce(relationships(path), []) |
         {weight: r.weight, friends: r.friends, referral: r.referral, visits: r.visits}] AS ties
