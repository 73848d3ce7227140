// Checks and writes friendship events: one FRIEND_OF per pair, `since` its earliest event
// (whose id is `event_id`); every event id seen is kept in `event_ids`, so an event already
// recorded on the pair's tie is a duplicate.
// Returns one row per row it did not apply; applied rows return nothing.
// mode: write
// params: $rows ([{i, event_id, a_id, b_id, at}])
// Derived data (first appearances, the tie) follows in graph.derive.fold.
// columns: i, status ('duplicate'), reason, missing (always null: nothing is held)
CYPHER replan=skip
UNWIND $rows AS r
OPTIONAL MATCH (:Person {id: r.a_id})-[seen:FRIEND_OF]-(:Person {id: r.b_id})
WITH r, CASE WHEN r.event_id IN coalesce(seen.event_ids, []) THEN ['duplicate', null, null]
             ELSE ['accepted', null, null] END AS verdict
CALL (r, verdict) {
  WITH r WHERE verdict[0] = 'accepted'
  WITH r, datetime(r.at) AS at
  MERGE (a:Person {id: r.a_id})
  MERGE (b:Person {id: r.b_id})
  MERGE (a)-[f:FRIEND_OF]-(b)
  ON CREATE SET f.since = at, f.event_id = r.event_id, f.event_ids = [r.event_id]
  ON MATCH SET
    f.event_id = CASE WHEN at < f.since OR (at = f.since AND r.event_id < f.event_id)
                      THEN r.event_id ELSE f.event_id END,
    f.since = CASE WHEN at < f.since THEN at ELSE f.since END,
    f.event_ids = f.event_ids + r.event_id
}
WITH r, verdict WHERE verdict[0] <> 'accepted'
RETURN r.i AS i, verdict[0] AS status, verdict[1] AS reason, verdict[2] AS missing
