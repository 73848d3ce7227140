// Held events waiting for any of these references ('share:<id>', 'person:<id>', ...), which
// have just arrived: through the waits_for index, so the other held events cost nothing.
// mode: read
// params: $keys ([string])
// columns: id, kind, payload, source, received_at
UNWIND $keys AS key
MATCH (h:HeldEvent {waits_for: key})
RETURN h.id AS id, h.kind AS kind, h.payload AS payload, h.source AS source,
       h.received_at AS received_at
ORDER BY received_at, id
