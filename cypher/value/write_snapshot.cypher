// Precomputed brand-wide customer value (graph/value/snapshot.py): stores (or replaces) the
// answer of each figure, as JSON.
// mode: write
// params: $rows ([{figure, as_of, computed_at, payload}])
// columns: figure
UNWIND $rows AS r
MERGE (v:ValueSnapshot {figure: r.figure})
SET v.as_of = r.as_of, v.computed_at = r.computed_at, v.payload = r.payload
RETURN v.figure AS figure
