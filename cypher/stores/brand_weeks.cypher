// New people per week brand-wide (DESIGN.md §5 "Store diagnosis", new people per week, summed
// over every store): customers (non-staff people with a HOME store) whose first appearance
// falls in [$since, $now), counted per 7-day week from $since (week 0 is the oldest). The
// range on first_seen uses its index, so only the window's people are read.
// mode: read
// params: $since (datetime), $now (datetime)
// columns: week, people
MATCH (p:Person)
WHERE p.first_seen >= $since AND p.first_seen < $now
  AND NOT p:Staff AND EXISTS { (p)-[:HOME]->(:Store) }
WITH duration.inSeconds($since, p.first_seen).seconds / 604800 AS week
RETURN week, count(*) AS people
ORDER BY week
