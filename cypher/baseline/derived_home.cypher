// Benchmark reference only (benchmarks/unwind_baseline.py), never used by the product: each
// person's home store as the bulk import computes it, created once.
// mode: write
// params: $rows ([{a (person id), b (store id)}])
// columns: none
UNWIND $rows AS r
MATCH (p:Person {id: r.a})
MATCH (s:Store {id: r.b})
CREATE (p)-[:HOME]->(s)
