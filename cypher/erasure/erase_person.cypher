// Erases a person on request. Their orders stay as anonymous orders of their store (so store
// revenue is unchanged) and their shares as anonymous shares (so other people's visits stay
// valid); the person node and every relationship it has are deleted; the people they referred,
// their friends and everyone tied to them are marked :Stale so that derivation makes the
// referees roots of their own trees and recomputes homes and ties. A tombstone keeps the
// SHA-256 of the id so the person's events are refused if they arrive again. `referrer` is the
// person's referrer, whose stored reach the caller recounts (derive/reach3) in the same
// transaction.
// mode: write
// params: $person_id, $id_sha256
// columns: orders_anonymised, shares_anonymised, referees, relationships_deleted, referrer
MATCH (p:Person {id: $person_id})
CALL (p) {
  OPTIONAL MATCH (p)-[placed:PLACED]->(o:Order)
  SET o.erased = true
  DELETE placed
  RETURN count(o) AS orders_anonymised
}
CALL (p) {
  OPTIONAL MATCH (p)-[shared:SHARED]->(s:Share)
  SET s.erased = true, s.sharer_id = null
  DELETE shared
  RETURN count(s) AS shares_anonymised
}
CALL (p) {
  OPTIONAL MATCH (p)-[:REFERRED]->(q:Person)
  RETURN collect(q.id) AS referees
}
CALL (p) {
  OPTIONAL MATCH (referrer:Person)-[:REFERRED]->(p)
  RETURN referrer.id AS referrer
}
CALL (p) {
  OPTIONAL MATCH (p)-[:REFERRED|FRIEND_OF|KNOWS]-(q:Person)
  SET q:Stale
  RETURN count(DISTINCT q) AS touched
}
CALL (p) {
  RETURN COUNT { (p)-[]-() } AS relationships_deleted
}
DETACH DELETE p
MERGE (e:ErasedPerson {id_sha256: $id_sha256})
ON CREATE SET e.erased_at = datetime()
RETURN orders_anonymised, shares_anonymised, referees, relationships_deleted, referrer
