// Home store (DESIGN.md §5 "Home store"), first rule that applies: the staff member's store;
// the imported member's store; the home store of the referrer; the store of the first order;
// none. Unrolled along the referral chain from the person up to their root, that is: the
// nearest person on the chain who is staff or an imported member decides; failing that, the
// first order of the person highest up the chain who has one (a referrer with no home store
// does not stop the rule from falling through to the first order).
// mode: write
// params: $ids ([person id])
// columns: id, has_referees (for the people whose home changed)
UNWIND $ids AS id
MATCH (p:Person {id: id})
// Locks the person before reading: two derivations of one person (concurrent loads or
// API calls) then run one after the other, and the second sees what the first wrote.
SET p.derive_lock = true
REMOVE p.derive_lock
WITH p
MATCH chain = (root:Person)-[:REFERRED*0..]->(p)
WHERE NOT EXISTS { (:Person)-[:REFERRED]->(root) }
WITH p, nodes(chain) AS from_root
WITH p, coalesce(
       [n IN reverse(from_root) WHERE coalesce(n.staff_store_id, n.member_store_id) IS NOT NULL
        | coalesce(n.staff_store_id, n.member_store_id)][0],
       [n IN from_root WHERE n.first_order_store_id IS NOT NULL | n.first_order_store_id][0]
     ) AS store_id
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
