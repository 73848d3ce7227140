// Weekly retention cohorts (DESIGN.md §5 "Customer value", retention): each store's customers
// (non-staff, HOME at the store) who first appeared in [$first, $end), grouped by the week of
// their first appearance — `cohort` = whole weeks from $first, which the caller sets to a
// Monday 00:00 UTC — and, for week offsets k = 1..8, how many of a cohort had a share, a visit
// or an order in week cohort + k (events before $end only; the caller keeps the offsets that
// have fully elapsed by $end). One row per store and cohort with at least one person.
// Each store's people are found from the store: only people have HOME relationships, so
// `p` needs no label, and without one the planner does not start from the first_seen
// index and read every person's relationships to find their HOME.
// mode: read
// params: $store_id (null: every store), $first (datetime: Monday 00:00 UTC), $end (datetime)
// columns: store_id, cohort (weeks after $first), people, retained ([people active in week
//   cohort + k, for k = 1..8])
MATCH (s:Store)
WHERE $store_id IS NULL OR s.id = $store_id
CALL (s) {
  MATCH (s)<-[:HOME]-(p)
  WHERE NOT p:Staff AND $first <= p.first_seen < $end
  WITH p, duration.inSeconds($first, p.first_seen).seconds / 604800 AS cohort
  CALL (p, cohort) {
    WITH p, cohort, $first + duration({weeks: cohort + 1}) AS later
    CALL (p, later) {
      MATCH (p)-[v:VISITED]->(:Share)
        WHERE later <= v.at < $end
      RETURN v.at AS at
      UNION ALL
      MATCH (p)-[:SHARED]->(sh:Share)
        WHERE later <= sh.at < $end
      RETURN sh.at AS at
      UNION ALL
      MATCH (p)-[:PLACED]->(o:Order)
        WHERE later <= o.at < $end
      RETURN o.at AS at
    }
    WITH DISTINCT duration.inSeconds($first, at).seconds / 604800 - cohort AS offset
    WHERE offset <= 8
    RETURN collect(offset) AS offsets
  }
  WITH cohort, count(p) AS people, collect(offsets) AS offsets
  RETURN cohort, people,
         [k IN range(1, 8) | size([o IN offsets WHERE k IN o])] AS retained
}
RETURN s.id AS store_id, cohort, people, retained
ORDER BY store_id, cohort
