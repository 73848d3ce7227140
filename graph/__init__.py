"""The gateway to Neo4j and the graph logic that runs through it."""
