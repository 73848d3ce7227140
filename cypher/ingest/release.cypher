// Drops held events that have now been applied (or turned out duplicate or invalid).
// Parameters: $event_ids: [string].
// Returns: released (count).
UNWIND $event_ids AS id
MATCH (h:HeldEvent {event_id: id})
DELETE h
RETURN count(*) AS released
