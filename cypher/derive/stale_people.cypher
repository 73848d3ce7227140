// People whose events changed since derived data was last computed (marked :Stale by loads).
// Parameters: none.
// Returns: id.
MATCH (p:Person:Stale)
RETURN p.id AS id
