// For a store too large to draw whole: the referral cascades (DESIGN.md §5 "Reach") around
// chosen people (its key nodes). Per person: their referral ancestors who belong to the
// store's network (nearest first), and their descendants in the network within 3 generations,
// breadth first (by generation, referral time, id), at most $per_root of them. Staff are left
// out: maps draw every staff member anyway. In a referral forest each person has at most one
// referrer, so the walk up is a single chain.
// mode: read
// params: $store_id, $roots ([person id]), $per_root
// columns: root, ancestors ([person id]), descendants ([person id])
MATCH (s:Store {id: $store_id})
UNWIND $roots AS root_id
MATCH (k:Person {id: root_id})
CALL (s, k) {
  OPTIONAL MATCH up = (a:Person)-[:REFERRED*1..]->(k)
  WHERE EXISTS { (a)-[:HOME]->(s) } AND NOT a:Staff
  WITH a, length(up) AS distance
  ORDER BY distance
  RETURN collect(a.id) AS ancestors
}
CALL (s, k) {
  OPTIONAL MATCH down = (k)-[:REFERRED*1..3]->(d:Person)
  WHERE EXISTS { (d)-[:HOME]->(s) } AND NOT d:Staff
  WITH d, length(down) AS depth, last(relationships(down)).at AS at
  ORDER BY depth, at, d.id
  RETURN collect(d.id)[..$per_root] AS descendants
}
RETURN k.id AS root, ancestors, descendants
