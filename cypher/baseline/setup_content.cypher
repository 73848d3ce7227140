// Benchmark reference only (benchmarks/unwind_baseline.py), never used by the product: the
// content and what it is about, which the interest fold (derive/interests_add) reads, created
// before the clock starts (the topics first: baseline/setup_topics).
// mode: write
// params: $rows ([{id, topics ([topic name])}])
// columns: none
UNWIND $rows AS r
CREATE (c:Content {id: r.id})
WITH c, r
UNWIND r.topics AS name
MATCH (t:Topic {name: name})
CREATE (c)-[:ABOUT]->(t)
