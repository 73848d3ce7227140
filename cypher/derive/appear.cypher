// Folds newly written events into their actors' first appearance, referrer and home (DESIGN.md
// §5 "First appearance", "Referrer", "Home store") in the transaction that wrote them, so that
// a load needs no separate derivation pass. Rows are taken one after the other (a subquery per
// row: each sees the rows before it), sorted by (at, event_id) by the caller.
// An event changes something only when it becomes the person's first appearance (a new person,
// or an earlier event than the one known), or, for an order, their first order. Then the new
// referrer is the sharer of a first visit (as the share's sharer_id says: none once erased) whose
// own first appearance is strictly earlier; the
// home is the person's staff or imported-member store, else the referrer's home, else the store
// of their first order. What this cannot settle locally is left to graph.derive.derive_stale by
// marking the person :Stale: an earlier first appearance of someone whose shares others have
// visited already (they may have referees, or people waiting to become their referees), and a
// new home of someone who has referees (theirs follow). People already :Stale are left alone.
// The index lookups are hinted, so that a plan made while the graph is nearly empty stays right.
// Each person is locked before being read, as derivation locks them (see derive/referrer), and
// so is the sharer or referrer whose first appearance or home it reads: a concurrent write
// changing theirs then commits wholly before this reads it, or sees what this wrote (a referee)
// and marks them :Stale.
// mode: write
// params: $rows ([{person_id, at, event_id, kind, share_id, sharer_id (of the share visited),
//   order_store_id}])
// columns: person_id, old_referrer, new_referrer (people whose referrer changed)
UNWIND $rows AS r
CALL (r) {
  MATCH (p:Person {id: r.person_id})
  USING INDEX p:Person(id)
  SET p.derive_lock = true
  REMOVE p.derive_lock
  WITH p, r
  WHERE NOT p:Stale
  WITH p, r, datetime(r.at) AS at
  WITH p, r, at,
       p.first_seen IS NULL OR at < p.first_seen
         OR (at = p.first_seen AND r.event_id < p.first_event_id) AS first,
       CASE WHEN r.kind = 'order'
            THEN size([(p)-[:PLACED]->(o:Order)
                       WHERE o.at < at OR (o.at = at AND o.id < r.event_id) | o]) = 0
            ELSE false END AS first_order
  WHERE first OR first_order
  WITH p, r, at, first, first_order,
       first AND p.first_seen IS NOT NULL
         AND EXISTS { (p)-[:SHARED]->(:Share)<-[:VISITED]-(x:Person) WHERE x <> p } AS deferred
  CALL (p, deferred) {
    WITH p WHERE deferred
    SET p:Stale
  }
  WITH p, r, at, first, first_order WHERE NOT deferred
  CALL (p, r, first_order) {
    WITH p, r WHERE first_order
    SET p.first_order_store_id = r.order_store_id
  }
  OPTIONAL CALL (p, r, at, first) {
    WITH p, r, at WHERE first
    SET p.first_seen = at, p.first_event_id = r.event_id, p.first_kind = r.kind,
        p.first_share_id = r.share_id
    WITH p, r, at
    OPTIONAL MATCH (sharer:Person {id: r.sharer_id})
    USING INDEX sharer:Person(id)
    CALL (sharer) {
      WITH sharer WHERE sharer IS NOT NULL
      SET sharer.derive_lock = true
      REMOVE sharer.derive_lock
    }
    WITH p, r, sharer, at
    WITH p, r, CASE WHEN sharer <> p
                     AND (sharer.first_seen < at
                          OR (sharer.first_seen = at AND sharer.first_event_id < r.event_id))
                    THEN sharer END AS referrer
    OPTIONAL MATCH (old:Person)-[was:REFERRED]->(p)
    WITH p, r, referrer, old, was
    WHERE NOT coalesce(old = referrer AND was.share_id = r.share_id
                         AND was.at = p.first_seen,
                       old IS NULL AND referrer IS NULL)
    DELETE was
    WITH p, r, referrer, old
    CALL (p, r, referrer) {
      WITH p, r, referrer WHERE referrer IS NOT NULL
      CREATE (referrer)-[:REFERRED {at: p.first_seen, share_id: r.share_id}]->(p)
    }
    RETURN old.id AS old_referrer, referrer.id AS new_referrer, true AS changed
  }
  CALL (p) {
    OPTIONAL MATCH (referrer:Person)-[:REFERRED]->(p)
    CALL (referrer) {
      WITH referrer WHERE referrer IS NOT NULL
      SET referrer.derive_lock = true
      REMOVE referrer.derive_lock
    }
    OPTIONAL MATCH (referrer)-[:HOME]->(referrer_home:Store)
    WITH p, coalesce(p.staff_store_id, p.member_store_id, referrer_home.id,
                     p.first_order_store_id) AS store_id
    OPTIONAL MATCH (p)-[h:HOME]->(current:Store)
    WITH p, h, store_id, EXISTS { (p)-[:REFERRED]->(:Person) } AS has_referees
    WHERE coalesce(current.id, '') <> coalesce(store_id, '')
    CALL (p, has_referees) {
      WITH p WHERE has_referees
      SET p:Stale
    }
    CALL (p, h, store_id, has_referees) {
      WITH p, h, store_id WHERE NOT has_referees
      DELETE h
      WITH p, store_id
      MATCH (s:Store {id: store_id})
      USING INDEX s:Store(id)
      CREATE (p)-[:HOME]->(s)
    }
  }
  WITH p, old_referrer, new_referrer WHERE changed
  RETURN p.id AS person_id, old_referrer, new_referrer
}
RETURN person_id, old_referrer, new_referrer
