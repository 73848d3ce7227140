"""Cypher queries, one per `<area>/<name>.cypher` file; loaded by `graph.queries`."""
