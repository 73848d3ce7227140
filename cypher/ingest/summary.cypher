// How many events are held, the oldest, and how many per reason kind (what they wait for:
// share, person, content, staff, store).
// mode: read
// params: none
// columns: waiting_for, held, oldest
MATCH (h:HeldEvent)
RETURN split(h.waits_for, ':')[0] AS waiting_for, count(h) AS held, min(h.received_at) AS oldest
ORDER BY waiting_for
