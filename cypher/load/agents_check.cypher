// Checks agent events: the person and store must be known (an agent event is not an
// appearance), and so must the inviter if given; an event already applied is a duplicate.
// Parameters: $rows: [{i, event_id, person_id, store_id, invited_by}].
// Returns: i, status ('ok' | 'duplicate' | 'pending' (unknown reference) | 'reject'), reason.
UNWIND $rows AS r
OPTIONAL MATCH (p:Person {id: r.person_id})
OPTIONAL MATCH (st:Store {id: r.store_id})
OPTIONAL MATCH (inviter:Person {id: r.invited_by})
WITH r, CASE
          WHEN r.event_id IN coalesce(p.agent_event_ids, []) THEN ['duplicate', null]
          WHEN p IS NULL THEN ['pending', 'unknown person_id ' + r.person_id]
          WHEN st IS NULL THEN ['pending', 'unknown store_id ' + r.store_id]
          WHEN r.invited_by IS NOT NULL AND inviter IS NULL
            THEN ['pending', 'unknown invited_by ' + r.invited_by]
          ELSE ['ok', null]
        END AS verdict
RETURN r.i AS i, verdict[0] AS status, verdict[1] AS reason
