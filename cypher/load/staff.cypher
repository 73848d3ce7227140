// Upserts staff: a :Person:Staff who WORKS_AT one store (a move replaces the old tie).
// Marks them :Stale so that derived data (first appearance, home, ties) is recomputed.
// Parameters: $rows: [{person_id, store_id, role, display_name, since}].
// Returns: nothing.
UNWIND $rows AS r
WITH r, datetime(r.since) AS since
MATCH (st:Store {id: r.store_id})
MERGE (p:Person {id: r.person_id})
SET p:Staff:Stale, p.role = r.role, p.display_name = r.display_name,
    p.staff_since = since, p.staff_store_id = r.store_id
WITH p, st
OPTIONAL MATCH (p)-[old:WORKS_AT]->(other:Store) WHERE other <> st
DELETE old
MERGE (p)-[:WORKS_AT]->(st)
