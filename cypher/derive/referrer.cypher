// Referrer, first touch (DESIGN.md §5 "Referrer"): when a person's first appearance is a visit
// to someone else's share, the sharer refers them — provided the sharer's own first appearance
// is strictly earlier by (at, event_id), which keeps the referral graph a forest. Replaces a
// REFERRED edge that no longer holds.
// mode: write
// params: $ids ([person id])
// columns: id (the people whose referrer changed), old_referrer, new_referrer (ids or null)
UNWIND $ids AS id
MATCH (p:Person {id: id})
// Locks the person before reading: two derivations of one person (concurrent loads or
// API calls) then run one after the other, and the second sees what the first wrote.
SET p.derive_lock = true
REMOVE p.derive_lock
WITH p
OPTIONAL MATCH (old:Person)-[r:REFERRED]->(p)
OPTIONAL MATCH (sharer:Person)-[:SHARED]->(:Share {id: p.first_share_id})
WITH p, old, r,
     CASE WHEN p.first_kind = 'visit' AND sharer IS NOT NULL AND sharer <> p
               AND (sharer.first_seen < p.first_seen
                    OR (sharer.first_seen = p.first_seen
                        AND sharer.first_event_id < p.first_event_id))
          THEN sharer END AS referrer
WITH p, r, old, referrer,
     coalesce(old = referrer AND r.share_id = p.first_share_id
                AND r.at = p.first_seen,
              old IS NULL AND referrer IS NULL) AS unchanged
WHERE NOT unchanged
DELETE r
WITH p, old, referrer
CALL (p, referrer) {
  WITH p, referrer WHERE referrer IS NOT NULL
  CREATE (referrer)-[:REFERRED {at: p.first_seen, share_id: p.first_share_id}]->(p)
}
RETURN p.id AS id, old.id AS old_referrer, referrer.id AS new_referrer
