// Checks and upserts staff: a :Person:Staff who WORKS_AT one known store (a move replaces the
// old tie), marked :Stale so that derived data is recomputed.
// Returns one row per row it did not apply; applied rows return nothing.
// mode: write
// params: $rows ([{i, person_id, store_id, role, display_name, since}])
// columns: i, status ('pending' (unknown reference)), reason,
//   missing (what a pending row waits for: 'store:<id>')
UNWIND $rows AS r
OPTIONAL MATCH (st:Store {id: r.store_id})
WITH r, st, CASE WHEN st IS NULL THEN ['pending', 'unknown store_id ' + r.store_id, 'store:' + r.store_id]
                 ELSE ['accepted', null, null] END AS verdict
CALL (r, st, verdict) {
  WITH r, st WHERE verdict[0] = 'accepted'
  MERGE (p:Person {id: r.person_id})
  SET p:Staff:Stale, p.role = r.role, p.display_name = r.display_name,
      p.staff_since = datetime(r.since), p.staff_store_id = r.store_id
  WITH p, st
  CALL (p, st) {
    OPTIONAL MATCH (p)-[old:WORKS_AT]->(other:Store) WHERE other <> st
    DELETE old
  }
  MERGE (p)-[:WORKS_AT]->(st)
}
WITH r, verdict WHERE verdict[0] <> 'accepted'
RETURN r.i AS i, verdict[0] AS status, verdict[1] AS reason, verdict[2] AS missing
