// Stores influence scores (DESIGN.md §5 "Influence") on people, with the time they were
// computed: influence (brand-wide PageRank), store_influence (PageRank within the home store's
// network), store_influence_pct (share of the home store's network, in percent, whose store
// influence is lower; null without a home store).
// mode: write
// params: $rows ([{id, influence, store_influence, store_influence_pct}]), $at (datetime)
// columns: none
UNWIND $rows AS r
MATCH (p:Person {id: r.id})
SET p.influence = r.influence, p.store_influence = r.store_influence,
    p.store_influence_pct = r.store_influence_pct, p.influence_at = $at
