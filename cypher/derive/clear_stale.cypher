// Marks these people's derived data as current: removes the :Deriving mark their claim set
// (a :Stale mark from an event loaded meanwhile stays, for the next derivation).
// mode: write
// params: $ids ([person id])
// columns: none
UNWIND $ids AS id
MATCH (p:Person:Deriving {id: id})
REMOVE p:Deriving
