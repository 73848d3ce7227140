// Benchmark reference only (benchmarks/unwind_baseline.py), never used by the product: visit rows
// sent again with a duplicate check through the VISITED event_id index; writes only the rows not
// seen before (none, when every row is a re-send).
// mode: write
// params: $rows ([{event_id, share_id, visitor_id, at, action}])
// columns: none
UNWIND $rows AS r
OPTIONAL MATCH ()-[dup:VISITED {event_id: r.event_id}]->()
WITH r WHERE dup IS NULL
MATCH (s:Share {id: r.share_id})
MERGE (v:Person {id: r.visitor_id})
CREATE (v)-[:VISITED {at: datetime(r.at), action: r.action, event_id: r.event_id}]->(s)
