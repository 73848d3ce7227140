// Holds rows and events that name something not known yet (a share, content, person, staff
// member or store), whether they came from a file or over HTTP, to be applied when it arrives.
// `waits_for` ('share:<id>', 'person:<id>', ...) is indexed, so an arrival finds exactly the
// events waiting for it. A row held again (a file loaded twice, an event re-sent) is updated.
// mode: write
// params: $rows ([{id (type:identity), event_id, kind, payload (JSON text), reason, waits_for,
//   people ([person id] the row names), source (file:row or 'api')}]), $now (datetime)
// columns: held (count)
UNWIND $rows AS r
MERGE (h:HeldEvent {id: r.id})
ON CREATE SET h.event_id = r.event_id, h.kind = r.kind, h.payload = r.payload,
              h.people = r.people, h.source = r.source, h.received_at = $now, h.attempts = 0
SET h.reason = r.reason, h.waits_for = r.waits_for, h.attempts = h.attempts + 1,
    h.last_try = $now
RETURN count(h) AS held
