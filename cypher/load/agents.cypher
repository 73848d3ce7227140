// Writes agent events: the person becomes an :Agent from `agent_since` (their earliest agent
// event, which also sets agent_store_id and invited_by).
// Parameters: $rows: [{event_id, person_id, store_id, invited_by, at}].
// Returns: nothing.
UNWIND $rows AS r
WITH r, datetime(r.at) AS at
MATCH (p:Person {id: r.person_id})
WITH p, r, at, p.agent_since IS NULL OR at < p.agent_since AS earliest
SET p:Agent,
    p.agent_event_ids = coalesce(p.agent_event_ids, []) + r.event_id,
    p.agent_since = CASE WHEN earliest THEN at ELSE p.agent_since END,
    p.agent_store_id = CASE WHEN earliest THEN r.store_id ELSE p.agent_store_id END,
    p.invited_by = CASE WHEN earliest THEN r.invited_by ELSE p.invited_by END
