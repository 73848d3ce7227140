// Marks these people's derived data as current.
// Parameters: $ids: [person id].
// Returns: nothing.
UNWIND $ids AS id
MATCH (p:Person:Stale {id: id})
REMOVE p:Stale
