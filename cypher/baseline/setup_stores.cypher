// Benchmark reference only (benchmarks/unwind_baseline.py), never used by the product: the
// stores the baseline's HOME relationships point to, created before the clock starts.
// mode: write
// params: $rows ([{id}])
// columns: none
UNWIND $rows AS r
CREATE (:Store {id: r.id})
