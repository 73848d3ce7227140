// Checks and writes agent events: the person becomes an :Agent from `agent_since` (their
// earliest agent event, which also sets agent_store_id and invited_by). The person, store and
// inviter must be known (an agent event is not an appearance); else the row is held back.
// Returns one row per row it did not apply; applied rows return nothing.
// mode: write
// params: $rows ([{i, event_id, person_id, store_id, invited_by, at}])
// columns: i, status ('duplicate' | 'pending' (unknown reference)), reason,
//   missing (what a pending row waits for: 'person:<id>', 'store:<id>')
CYPHER replan=skip
UNWIND $rows AS r
OPTIONAL MATCH (p:Person {id: r.person_id})
OPTIONAL MATCH (st:Store {id: r.store_id})
OPTIONAL MATCH (inviter:Person {id: r.invited_by})
WITH r, p, CASE
             WHEN r.event_id IN coalesce(p.agent_event_ids, []) THEN ['duplicate', null, null]
             WHEN p IS NULL THEN ['pending', 'unknown person_id ' + r.person_id, 'person:' + r.person_id]
             WHEN st IS NULL THEN ['pending', 'unknown store_id ' + r.store_id, 'store:' + r.store_id]
             WHEN r.invited_by IS NOT NULL AND inviter IS NULL
               THEN ['pending', 'unknown invited_by ' + r.invited_by, 'person:' + r.invited_by]
             ELSE ['accepted', null, null]
           END AS verdict
CALL (r, p, verdict) {
  WITH r, p WHERE verdict[0] = 'accepted'
  WITH r, p, datetime(r.at) AS at
  WITH r, p, at, p.agent_since IS NULL OR at < p.agent_since AS earliest
  SET p:Agent,
      p.agent_event_ids = coalesce(p.agent_event_ids, []) + r.event_id,
      p.agent_since = CASE WHEN earliest THEN at ELSE p.agent_since END,
      p.agent_store_id = CASE WHEN earliest THEN r.store_id ELSE p.agent_store_id END,
      p.invited_by = CASE WHEN earliest THEN r.invited_by ELSE p.invited_by END
}
WITH r, verdict WHERE verdict[0] <> 'accepted'
RETURN r.i AS i, verdict[0] AS status, verdict[1] AS reason, verdict[2] AS missing
