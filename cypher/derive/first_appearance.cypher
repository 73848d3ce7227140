// First appearance (DESIGN.md §5 "First appearance"): a person's earliest event as an actor,
// ordered by (at, event_id) — a share, a visit, an order, a friendship, or their import as
// staff or member. Also records the store of their first order (for the home-store rule).
// mode: write
// params: $ids ([person id])
// columns: id, changed (true when the first appearance is new or moved earlier)
UNWIND $ids AS id
MATCH (p:Person {id: id})
// Locks the person before reading: two derivations of one person (concurrent loads or
// API calls) then run one after the other, and the second sees what the first wrote.
SET p.derive_lock = true
REMOVE p.derive_lock
WITH p
CALL (p) {
  CALL (p) {
    MATCH (p)-[:SHARED]->(s:Share)
    RETURN s.at AS at, s.event_id AS event_id, 'share' AS kind, null AS share_id
    UNION ALL
    MATCH (p)-[v:VISITED]->(s:Share)
    RETURN v.at AS at, v.event_id AS event_id, 'visit' AS kind, s.id AS share_id
    UNION ALL
    MATCH (p)-[:PLACED]->(o:Order)
    RETURN o.at AS at, o.id AS event_id, 'order' AS kind, null AS share_id
    UNION ALL
    MATCH (p)-[f:FRIEND_OF]-(:Person)
    RETURN f.since AS at, f.event_id AS event_id, 'friendship' AS kind, null AS share_id
    UNION ALL
    WITH p WHERE p.staff_since IS NOT NULL
    RETURN p.staff_since AS at, 'staff:' + p.id AS event_id, 'staff' AS kind, null AS share_id
    UNION ALL
    WITH p WHERE p.imported_member_since IS NOT NULL
    RETURN p.imported_member_since AS at, 'member:' + p.id AS event_id, 'member' AS kind,
           null AS share_id
  }
  RETURN at, event_id, kind, share_id
  ORDER BY at, event_id
  LIMIT 1
}
OPTIONAL CALL (p) {
  MATCH (p)-[:PLACED]->(o:Order)
  RETURN o.store_id AS first_order_store_id
  ORDER BY o.at, o.id
  LIMIT 1
}
WITH p, at, event_id, kind, share_id, first_order_store_id,
     p.first_event_id IS NULL OR p.first_event_id <> event_id AS changed
SET p.first_seen = at, p.first_event_id = event_id, p.first_kind = kind,
    p.first_share_id = share_id, p.first_order_store_id = first_order_store_id
RETURN p.id AS id, changed
