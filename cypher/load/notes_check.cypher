// Checks staff notes: duplicate event, unknown staff member, unknown person.
// Parameters: $rows: [{i, event_id, staff_id, person_id}].
// Returns: i, status ('ok' | 'duplicate' | 'pending' (unknown reference) | 'reject'), reason.
UNWIND $rows AS r
OPTIONAL MATCH ()-[dup:NOTED {event_id: r.event_id}]->()
OPTIONAL MATCH (s:Staff {id: r.staff_id})
OPTIONAL MATCH (p:Person {id: r.person_id})
WITH r, CASE
          WHEN dup IS NOT NULL THEN ['duplicate', null]
          WHEN s IS NULL THEN ['pending', 'unknown staff_id ' + r.staff_id]
          WHEN p IS NULL THEN ['pending', 'unknown person_id ' + r.person_id]
          ELSE ['ok', null]
        END AS verdict
RETURN r.i AS i, verdict[0] AS status, verdict[1] AS reason
