"""Reading, validating and loading reference data and events into the graph."""
