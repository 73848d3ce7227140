// Benchmark reference only (benchmarks/unwind_baseline.py), never used by the product: each
// person's derived properties (first appearance, first order's store, stored reach) as the bulk
// import computes them, written once with the plainest write; people no share or visit named
// are created.
// mode: write
// params: $rows ([{id, first_seen, first_event_id, first_kind, first_share_id,
//   first_order_store_id, reach3}])
// columns: none
UNWIND $rows AS r
MERGE (p:Person {id: r.id})
SET p.first_seen = datetime(r.first_seen), p.first_event_id = r.first_event_id,
    p.first_kind = r.first_kind, p.first_share_id = r.first_share_id,
    p.first_order_store_id = r.first_order_store_id, p.reach3 = r.reach3
