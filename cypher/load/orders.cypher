// Checks and writes order events: (:Person)-[:PLACED]->(:Order)-[:AT]->(:Store); a paid order
// makes the buyer a :Member from its time on. Refused: a duplicate event; held back: an
// unknown store (`missing`: 'store:<id>'). Derived data follows in graph.derive.fold.
// Returns one row per row it did not apply; applied rows return nothing.
// mode: write
// params: $rows ([{i, event_id, person_id, store_id, amount, currency, at}])
// columns: i, status ('duplicate' | 'pending' (unknown reference)), reason,
//   missing (what a pending row waits for)
CYPHER replan=skip
UNWIND $rows AS r
OPTIONAL MATCH (dup:Order {id: r.event_id})
OPTIONAL MATCH (st:Store {id: r.store_id})
WITH r, st, CASE
              WHEN dup IS NOT NULL THEN ['duplicate', null, null]
              WHEN st IS NULL THEN ['pending', 'unknown store_id ' + r.store_id, 'store:' + r.store_id]
              ELSE ['accepted', null, null]
            END AS verdict
CALL (r, st, verdict) {
  WITH r, st WHERE verdict[0] = 'accepted'
  WITH r, st, datetime(r.at) AS at
  MERGE (p:Person {id: r.person_id})
  SET p:Member,
      p.member_since = CASE WHEN p.member_since IS NULL OR at < p.member_since
                            THEN at ELSE p.member_since END
  CREATE (p)-[:PLACED]->(o:Order {id: r.event_id, at: at, amount: r.amount,
                                   currency: r.currency, store_id: r.store_id})-[:AT]->(st)
}
WITH r, verdict WHERE verdict[0] <> 'accepted'
RETURN r.i AS i, verdict[0] AS status, verdict[1] AS reason, verdict[2] AS missing
