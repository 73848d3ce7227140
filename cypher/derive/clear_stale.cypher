// Marks these people's derived data as current.
// mode: write
// params: $ids ([person id])
// columns: none
UNWIND $ids AS id
MATCH (p:Person:Stale {id: id})
REMOVE p:Stale
