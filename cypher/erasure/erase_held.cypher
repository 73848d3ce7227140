// Erasure on request, for what is still held: deletes every held event that names the person
// (as actor, subject, inviter, ...) and, when there was any, keeps the tombstone (SHA-256 of
// the id), so that the person's events are refused from now on even if the person never
// reached the graph.
// mode: write
// params: $person_id, $id_sha256
// columns: held_deleted
OPTIONAL MATCH (h:HeldEvent) WHERE $person_id IN h.people
WITH collect(h) AS held
FOREACH (h IN held | DELETE h)
WITH size(held) AS held_deleted
CALL (held_deleted) {
  WITH held_deleted WHERE held_deleted > 0
  MERGE (e:ErasedPerson {id_sha256: $id_sha256})
  ON CREATE SET e.erased_at = datetime()
}
RETURN held_deleted
