// Benchmark reference only (benchmarks/unwind_baseline.py), never used by the product: the
// topics the baseline's INTERESTED_IN relationships point to, created before the clock starts.
// mode: write
// params: $rows ([{name}])
// columns: none
UNWIND $rows AS r
CREATE (:Topic {name: r.name})
