// Stored reach(p, 3) (DESIGN.md §5 "Reach": distinct people referred within 3 generations),
// kept on Person.reach3 for the key-node rule (cypher/keynodes), which would otherwise count
// it for every customer of a store on every request. A referral edge into or out of a person
// changes the reach of its referrer and of the referrer's parent and grandparent only, so the
// caller passes the referrers whose referees changed and this recounts them and their two
// generations of ancestors. 0 is stored as no property (as the bulk import writes it).
// Each person is locked before counting, so that of two transactions changing edges under the
// same person the one counting last sees the other's committed edges.
// mode: write
// params: $ids ([person id]: referrers who gained or lost a referee)
// columns: none
UNWIND $ids AS id
MATCH (:Person {id: id})<-[:REFERRED*0..2]-(a:Person)
WITH DISTINCT a
ORDER BY a.id
SET a.derive_lock = true
REMOVE a.derive_lock
WITH a, COUNT { (a)-[:REFERRED*1..3]->(:Person) } AS reach3
SET a.reach3 = CASE WHEN reach3 > 0 THEN reach3 END
