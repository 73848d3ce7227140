// Held streamed events, oldest first, to retry.
// mode: read
// params: $limit
// columns: event_id, kind, payload, reason, received_at
MATCH (h:HeldEvent)
RETURN h.event_id AS event_id, h.kind AS kind, h.payload AS payload, h.reason AS reason,
       h.received_at AS received_at
ORDER BY h.received_at, h.event_id
LIMIT $limit
