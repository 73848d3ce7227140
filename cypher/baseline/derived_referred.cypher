// Benchmark reference only (benchmarks/unwind_baseline.py), never used by the product: the
// first-touch referral edges as the bulk import computes them, created once.
// mode: write
// params: $rows ([{a (referrer id), b (referee id), at, share_id}])
// columns: none
UNWIND $rows AS r
MATCH (a:Person {id: r.a})
MATCH (b:Person {id: r.b})
CREATE (a)-[:REFERRED {at: datetime(r.at), share_id: r.share_id}]->(b)
