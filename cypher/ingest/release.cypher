// Drops held events that have now been applied (or turned out duplicate or invalid).
// mode: write
// params: $event_ids ([string])
// columns: released (count)
UNWIND $event_ids AS id
MATCH (h:HeldEvent {event_id: id})
DELETE h
RETURN count(*) AS released
