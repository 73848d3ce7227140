"""The `fission` command line: the top of the project, which wires the library together
(local server, schema, loading, generation, influence, API keys, the API, the demo). Nothing
in the project imports it."""
