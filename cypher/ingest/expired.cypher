// Held events received before $cutoff: still waiting after the configured age, to be expired
// into a report (never dropped silently).
// mode: read
// params: $cutoff (datetime)
// columns: id, event_id, kind, payload, reason, waits_for, source, received_at, attempts
MATCH (h:HeldEvent)
WHERE h.received_at < $cutoff
RETURN h.id AS id, h.event_id AS event_id, h.kind AS kind, h.payload AS payload,
       h.reason AS reason, h.waits_for AS waits_for, h.source AS source,
       h.received_at AS received_at, h.attempts AS attempts
ORDER BY received_at, id
