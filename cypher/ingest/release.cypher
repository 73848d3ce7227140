// Drops held events that have left hold: applied, found duplicate or rejected, or expired
// (their outcome is reported by the caller).
// mode: write
// params: $ids ([held id])
// columns: released (count)
UNWIND $ids AS id
MATCH (h:HeldEvent {id: id})
DELETE h
RETURN count(*) AS released
