// Precomputed brand-wide customer value (graph/value/snapshot.py): the stored answer of one
// figure, as JSON, with the time its windows end at and the time it was computed.
// mode: read
// params: $figure (value | retention | sources | funnel | agent_candidates)
// columns: as_of, computed_at, payload (JSON of the unpaged answer; no row: none stored)
MATCH (v:ValueSnapshot {figure: $figure})
RETURN v.as_of AS as_of, v.computed_at AS computed_at, v.payload AS payload
