// Keeps streamed events that name something not yet known (a share, content, person, staff
// member or store), to be applied when it arrives; an event already held is updated.
// mode: write
// params: $rows ([{event_id, kind, payload (JSON text), reason}]), $now (datetime)
// columns: held (count)
UNWIND $rows AS r
MERGE (h:HeldEvent {event_id: r.event_id})
ON CREATE SET h.kind = r.kind, h.payload = r.payload, h.received_at = $now, h.attempts = 0
SET h.reason = r.reason, h.attempts = h.attempts + 1, h.last_try = $now
RETURN count(h) AS held
