// Checks and imports members known before tracking started: :Member, their store, and
// member_since; the store must be known.
// Returns one row per row it did not apply; applied rows return nothing.
// mode: write
// params: $rows ([{i, person_id, store_id, member_since}])
// columns: i, status ('pending' (unknown reference)), reason,
//   missing (what a pending row waits for: 'store:<id>')
UNWIND $rows AS r
OPTIONAL MATCH (st:Store {id: r.store_id})
WITH r, CASE WHEN st IS NULL THEN ['pending', 'unknown store_id ' + r.store_id, 'store:' + r.store_id]
             ELSE ['accepted', null, null] END AS verdict
CALL (r, verdict) {
  WITH r WHERE verdict[0] = 'accepted'
  WITH r, datetime(r.member_since) AS since
  MERGE (p:Person {id: r.person_id})
  SET p:Member:Stale, p.member_store_id = r.store_id, p.imported_member_since = since,
      p.member_since = CASE WHEN p.member_since IS NULL OR since < p.member_since
                            THEN since ELSE p.member_since END
}
WITH r, verdict WHERE verdict[0] <> 'accepted'
RETURN r.i AS i, verdict[0] AS status, verdict[1] AS reason, verdict[2] AS missing
