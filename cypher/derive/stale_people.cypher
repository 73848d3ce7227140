// People whose events changed since derived data was last computed (marked :Stale by loads),
// claimed for this derivation: the mark moves to :Deriving, so an event loaded while it runs
// marks the person :Stale again for the next one, and clearing this run's marks cannot drop
// it. People still :Deriving (a derivation that stopped, or one running now) are claimed too:
// deriving a person twice is harmless, as each step locks the person first.
// mode: write
// params: none
// columns: id
MATCH (p:Person)
WHERE p:Stale OR p:Deriving
SET p:Deriving
REMOVE p:Stale
RETURN p.id AS id
