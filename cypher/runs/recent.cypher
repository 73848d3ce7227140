// The latest load runs, newest first, with what each read, loaded and refused.
// mode: read
// params: $limit
// columns: run (map of the :LoadRun's properties)
MATCH (r:LoadRun)
RETURN properties(r) AS run
ORDER BY r.started_at DESC
LIMIT $limit
