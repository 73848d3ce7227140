// The latest load runs, newest first, with what each read, loaded and refused. Every run has
// `started_at`; saying so lets the planner read the newest from the load_run_started index
// instead of sorting every run (a watcher records one per drop: hundreds of thousands a year).
// mode: read
// params: $limit
// columns: run (map of the :LoadRun's properties)
MATCH (r:LoadRun)
WHERE r.started_at IS NOT NULL
RETURN properties(r) AS run
ORDER BY r.started_at DESC
LIMIT $limit
