// Home store (DESIGN.md §5 "Home store"), first rule that applies: staff member's store;
// imported member's store; the referrer's home; the store of the first order; none.
// Walks up the referral chain to the nearest ancestor-or-self that is staff, an imported
// member or a root; that one's store decides.
// Parameters: $ids: [person id].
// Returns: id, has_referees (for the people whose home changed).
UNWIND $ids AS id
MATCH (p:Person {id: id})
CALL (p) {
  MATCH path = (a:Person)-[:REFERRED*0..]->(p)
  WHERE a.staff_store_id IS NOT NULL OR a.member_store_id IS NOT NULL
        OR NOT EXISTS { (:Person)-[:REFERRED]->(a) }
  RETURN coalesce(a.staff_store_id, a.member_store_id, a.first_order_store_id) AS store_id
  ORDER BY length(path)
  LIMIT 1
}
OPTIONAL MATCH (p)-[h:HOME]->(current:Store)
WITH p, h, current, store_id
WHERE coalesce(current.id, '') <> coalesce(store_id, '')
DELETE h
WITH p, store_id
OPTIONAL MATCH (s:Store {id: store_id})
CALL (p, s) {
  WITH p, s WHERE s IS NOT NULL
  CREATE (p)-[:HOME]->(s)
}
RETURN p.id AS id, EXISTS { (p)-[:REFERRED]->(:Person) } AS has_referees
