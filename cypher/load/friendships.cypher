// Writes friendship events: one FRIEND_OF per pair, `since` its earliest event (whose id is
// `event_id`); every event id seen is kept in `event_ids` so a reload is a no-op.
// Parameters: $rows: [{event_id, a_id, b_id, at}].
// Returns: nothing.
UNWIND $rows AS r
WITH r, datetime(r.at) AS at
MERGE (a:Person {id: r.a_id})
MERGE (b:Person {id: r.b_id})
SET a:Stale, b:Stale
MERGE (a)-[f:FRIEND_OF]-(b)
ON CREATE SET f.since = at, f.event_id = r.event_id, f.event_ids = [r.event_id]
ON MATCH SET
  f.event_id = CASE WHEN at < f.since OR (at = f.since AND r.event_id < f.event_id)
                    THEN r.event_id ELSE f.event_id END,
  f.since = CASE WHEN at < f.since THEN at ELSE f.since END,
  f.event_ids = f.event_ids + r.event_id
