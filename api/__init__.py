"""The HTTP API: routing, authentication and (de)serialisation; the logic lives in graph/."""
