// How much the database holds, so that a bulk import (which replaces the database) can refuse
// to overwrite data unless asked to.
// mode: read
// params: none
// columns: nodes, held_events
CALL () { MATCH (n) RETURN count(n) AS nodes }
CALL () { MATCH (h:HeldEvent) RETURN count(h) AS held_events }
RETURN nodes, held_events
