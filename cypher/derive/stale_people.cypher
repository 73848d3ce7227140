// People whose events changed since derived data was last computed (marked :Stale by loads).
// mode: read
// params: none
// columns: id
MATCH (p:Person:Stale)
RETURN p.id AS id
