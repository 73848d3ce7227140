// Drops a named in-memory Graph Data Science graph; nothing if it is gone already. Changes
// only the GDS graph catalog in memory, never the database, so it runs as a read.
// mode: read
// params: $graph_name
// columns: dropped (the graph's name, or none when there was no such graph)
CALL gds.graph.drop($graph_name, false) YIELD graphName
RETURN graphName AS dropped
