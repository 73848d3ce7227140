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
// One HOME hop from each end (a pattern through the store would scan its whole network).
WITH v, s, weight,
     COLLECT { MATCH (v)-[:HOME]->(home:Store) RETURN home }[0] AS visitor_home,
     COLLECT { MATCH (s)-[:HOME]->(home:Store) RETURN home }[0] AS sharer_home
WITH v, s, weight,
     CASE WHEN visitor_home IS NOT NULL AND visitor_home = sharer_home THEN 'STORE'
          ELSE 'CROSS' END AS type
WITH gds.graph.project(
       $graph_name, v, s, {relationshipType: type, relationshipProperties: {weight: toFloat(weight)}}
     ) AS g,
     count(CASE type WHEN 'STORE' THEN 1 END) AS store_relationships
RETURN g.graphName AS graph_name, g.nodeCount AS nodes, g.relationshipCount AS relationships,
       store_relationships
