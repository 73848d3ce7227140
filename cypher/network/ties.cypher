// Social ties (DESIGN.md §5 "Social ties") among a few people, e.g. those on an introduction
// path, so a map can draw them. KNOWS is stored once per pair: matched undirected, reported
// once per pair (smaller id first).
// mode: read
// params: $ids ([person id])
// columns: source, target, weight
UNWIND $ids AS id
MATCH (a:Person {id: id})-[k:KNOWS]-(b:Person)
WHERE b.id IN $ids AND a.id < b.id
RETURN a.id AS source, b.id AS target, k.weight AS weight
ORDER BY source, target
