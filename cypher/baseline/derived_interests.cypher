// Benchmark reference only (benchmarks/unwind_baseline.py), never used by the product: the
// interest scores as the bulk import computes them, created once.
// mode: write
// params: $rows ([{a (person id), b (topic name), score, as_of, latest}])
// columns: none
UNWIND $rows AS r
MATCH (p:Person {id: r.a})
MATCH (t:Topic {name: r.b})
CREATE (p)-[:INTERESTED_IN {score: r.score, as_of: datetime(r.as_of),
                            latest: datetime(r.latest)}]->(t)
