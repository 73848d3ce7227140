// Benchmark reference only (benchmarks/unwind_baseline.py), never used by the product: the plain
// UNWIND of share rows that the online loader is measured against — MERGE the sharer, CREATE
// the share and its SHARED relationship; no checks, no derived data.
// mode: write
// params: $rows ([{event_id, share_id, sharer_id, content_id, channel, at}])
// columns: none
UNWIND $rows AS r
MERGE (p:Person {id: r.sharer_id})
CREATE (p)-[:SHARED]->(:Share {id: r.share_id, event_id: r.event_id, at: datetime(r.at),
                               channel: r.channel, sharer_id: r.sharer_id})
