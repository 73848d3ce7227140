// Stores reach(p, 3) on these people (as derive/reach3 keeps it), for a database loaded before
// Person.reach3 was stored (graph.schema's migration). Each person is locked before counting,
// as derive/reach3 does, so a load running meanwhile cannot leave an older count behind.
// mode: write
// params: $rows ([{id}])
// columns: none
UNWIND $rows AS row
MATCH (p:Person {id: row.id})
SET p.derive_lock = true
REMOVE p.derive_lock
WITH p, COUNT { (p)-[:REFERRED*1..3]->(:Person) } AS reach3
SET p.reach3 = CASE WHEN reach3 > 0 THEN reach3 END
