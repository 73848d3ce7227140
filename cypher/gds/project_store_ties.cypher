// One store network's social ties (DESIGN.md §5 "Social ties") projected into Graph Data
// Science, undirected, weighted by the KNOWS weight: the ties between two people whose HOME is
// the store. The people are those with such a tie.
// mode: read
// params: $graph_name, $store_id
// columns: graph_name (null when the store has no tie), nodes, relationships
MATCH (st:Store {id: $store_id})<-[:HOME]-(a:Person)-[k:KNOWS]->(b:Person)-[:HOME]->(st)
WITH gds.graph.project(
       $graph_name, a, b, {relationshipProperties: {weight: toFloat(k.weight)}},
       {undirectedRelationshipTypes: ['*']}
     ) AS g
RETURN g.graphName AS graph_name, g.nodeCount AS nodes, g.relationshipCount AS relationships
