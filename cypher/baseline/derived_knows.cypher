// Benchmark reference only (benchmarks/unwind_baseline.py), never used by the product: the
// social ties as the bulk import computes them (final weights and parts), created once.
// mode: write
// params: $rows ([{a, b (person ids, a < b), weight, friends, referral, visits}])
// columns: none
UNWIND $rows AS r
MATCH (a:Person {id: r.a})
MATCH (b:Person {id: r.b})
CREATE (a)-[:KNOWS {weight: r.weight, friends: r.friends, referral: r.referral,
                    visits: r.visits}]->(b)
