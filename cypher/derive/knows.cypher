// Social ties (DESIGN.md §5 "Social ties"): KNOWS weight between two people =
// 3 × friendship + 2 × referral (either direction) + visits either made to the other's shares.
// Recomputes every tie of these people (stored once per pair, from the smaller id to the
// larger) with its parts, and deletes ties whose weight fell to 0.
// mode: write
// params: $ids ([person id])
// columns: pairs (ties written or deleted)
UNWIND $ids AS id
MATCH (p:Person {id: id})
// Locks the person before reading: two derivations of one person (concurrent loads or
// API calls) then run one after the other, and the second sees what the first wrote.
SET p.derive_lock = true
REMOVE p.derive_lock
WITH p
CALL (p) {
  MATCH (p)-[:FRIEND_OF]-(q:Person) WHERE q <> p
  RETURN q, 'friend' AS part
  UNION ALL
  MATCH (p)-[:REFERRED]-(q:Person)
  RETURN q, 'referral' AS part
  UNION ALL
  MATCH (p)-[:VISITED]->(:Share)<-[:SHARED]-(q:Person) WHERE q <> p
  RETURN q, 'visit' AS part
  UNION ALL
  MATCH (p)-[:SHARED]->(:Share)<-[:VISITED]-(q:Person) WHERE q <> p
  RETURN q, 'visit' AS part
  UNION ALL
  MATCH (p)-[:KNOWS]-(q:Person)
  RETURN q, 'known' AS part
}
WITH p, q,
     sum(CASE part WHEN 'friend' THEN 1 ELSE 0 END) > 0 AS friends,
     sum(CASE part WHEN 'referral' THEN 1 ELSE 0 END) > 0 AS referral,
     sum(CASE part WHEN 'visit' THEN 1 ELSE 0 END) AS visits
WITH CASE WHEN p.id < q.id THEN p ELSE q END AS a,
     CASE WHEN p.id < q.id THEN q ELSE p END AS b,
     friends, referral, visits,
     3 * toInteger(friends) + 2 * toInteger(referral) + visits AS weight
CALL (a, b, friends, referral, visits, weight) {
  WITH a, b, friends, referral, visits, weight WHERE weight > 0
  MERGE (a)-[k:KNOWS]->(b)
  SET k.weight = weight, k.friends = friends, k.referral = referral, k.visits = visits
}
CALL (a, b, weight) {
  WITH a, b, weight WHERE weight = 0
  MATCH (a)-[k:KNOWS]-(b)
  DELETE k
}
RETURN count(*) AS pairs
