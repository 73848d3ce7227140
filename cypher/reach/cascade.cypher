// Cascade tree of a person (DESIGN.md §5 "Reach"): the person and their descendants in the
// referral forest, breadth first (by depth, then referral time, then id), cut at $max_depth
// generations and $max_descendants descendants; `total` counts every descendant so the caller
// knows how many were cut off. Keeping a breadth-first prefix keeps the kept part a tree.
// mode: read
// params: $person_id, $max_depth, $max_descendants
// columns: found, total, nodes ([{id, depth, parent, at, staff, member, agent}] (root first))
OPTIONAL MATCH (root:Person {id: $person_id})
OPTIONAL CALL (root) {
  MATCH path = (root)-[:REFERRED*1..]->(d:Person)
  WITH d, length(path) AS depth, last(relationships(path)) AS r
  ORDER BY depth, r.at, d.id
  WITH count(*) AS total,
       collect(CASE WHEN depth <= $max_depth
                    THEN {id: d.id, depth: depth, parent: startNode(r).id, at: r.at,
                          staff: d:Staff, member: d:Member, agent: d:Agent} END) AS kept
  RETURN total, kept[..$max_descendants] AS kept
}
RETURN root IS NOT NULL AS found, coalesce(total, 0) AS total,
       CASE WHEN root IS NULL THEN []
            ELSE [{id: root.id, depth: 0, parent: null, at: null, staff: root:Staff,
                   member: root:Member, agent: root:Agent}] + coalesce(kept, []) END AS nodes
