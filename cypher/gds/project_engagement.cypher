// The engagement graph (DESIGN.md §5 "Influence") projected into Graph Data Science: for every
// visitor v and sharer s <> v, a relationship v -> s weighted by the number of distinct shares
// of s that v visited; of type STORE when v and s have the same home store (the edges their
// store network is ranked on), else CROSS. The nodes are the people on some edge.
// mode: read
// params: $graph_name
// columns: graph_name (null when there is no edge), nodes, relationships, store_relationships
//   (of type STORE)
MATCH (s:Person)-[:SHARED]->(sh:Share)<-[:VISITED]-(v:Person)
WHERE v <> s
WITH v, s, count(DISTINCT sh) AS weight
WITH v, s, weight,
     COLLECT { MATCH (v)-[:HOME]->(home:Store)<-[:HOME]-(s) RETURN home } AS same_home
WITH v, s, weight, CASE WHEN size(same_home) > 0 THEN 'STORE' ELSE 'CROSS' END AS type
WITH gds.graph.project(
       $graph_name, v, s, {relationshipType: type, relationshipProperties: {weight: toFloat(weight)}}
     ) AS g,
     count(CASE type WHEN 'STORE' THEN 1 END) AS store_relationships
RETURN g.graphName AS graph_name, g.nodeCount AS nodes, g.relationshipCount AS relationships,
       store_relationships
