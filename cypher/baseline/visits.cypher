// Benchmark reference only (benchmarks/unwind_baseline.py), never used by the product: the plain
// UNWIND of visit rows — MATCH the share, MERGE the visitor, CREATE the VISITED relationship with
// its event_id; no checks, no derived data.
// mode: write
// params: $rows ([{event_id, share_id, visitor_id, at, action}])
// columns: none
UNWIND $rows AS r
MATCH (s:Share {id: r.share_id})
MERGE (v:Person {id: r.visitor_id})
CREATE (v)-[:VISITED {at: datetime(r.at), action: r.action, event_id: r.event_id}]->(s)
