// How many events are held (from the count store: constant time), so that an arrival need not
// look for waiting events when none are held.
// mode: read
// params: none
// columns: held
MATCH (h:HeldEvent)
RETURN count(h) AS held
