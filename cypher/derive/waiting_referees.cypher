// Roots whose first appearance was a visit to a share of one of these people: when a sharer's
// first appearance moves earlier, such a root may now have them as referrer (equal timestamps
// are decided by event_id). Such roots are rare: everyone else who first visited is referred.
// mode: read
// params: $ids ([person id whose first appearance changed])
// columns: id
UNWIND $ids AS id
MATCH (:Person {id: id})-[:SHARED]->(s:Share)
MATCH (q:Person {first_share_id: s.id})
WHERE NOT EXISTS { (:Person)-[:REFERRED]->(q) }
RETURN DISTINCT q.id AS id
