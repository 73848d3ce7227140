// Held events (loaders.stream) grouped by type and by what they wait for: the reason without
// the id it names ("unknown share_id SH9" -> "unknown share_id"), with how many are held, the
// oldest arrival and one full reason as an example.
// mode: read
// params: none
// columns: kind, waiting_for, count, oldest (datetime), example
MATCH (h:HeldEvent)
WITH h,
     CASE WHEN h.reason STARTS WITH 'unknown ' THEN 'unknown ' + split(h.reason, ' ')[1]
          ELSE coalesce(h.reason, 'unknown reference') END AS waiting_for
RETURN h.kind AS kind, waiting_for, count(*) AS count, min(h.received_at) AS oldest,
       min(h.reason) AS example
ORDER BY count DESC, kind, waiting_for
