// The referral tree under a person (DESIGN.md §5 "Structural virality"): every edge
// parent -> child of their subtree of the referral forest.
// mode: read
// params: $person_id
// columns: found, parents ([person id]), children ([person id] (parallel lists))
OPTIONAL MATCH (root:Person {id: $person_id})
OPTIONAL CALL (root) {
  MATCH (root)-[:REFERRED*0..]->(a:Person)-[:REFERRED]->(b:Person)
  RETURN collect(a.id) AS parents, collect(b.id) AS children
}
RETURN root IS NOT NULL AS found, coalesce(parents, []) AS parents,
       coalesce(children, []) AS children
