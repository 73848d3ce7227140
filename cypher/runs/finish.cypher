// Records how a load run ended: `done` with its counts, or `failed` with the error.
// mode: write
// params: $id, $outcome (map: {status, read, accepted, duplicates, rejected, held, skipped,
//   per_type (JSON text), reject_file, load_seconds, derive_seconds, error}), $now (datetime)
// columns: id
MATCH (r:LoadRun {id: $id})
SET r += $outcome, r.finished_at = $now
RETURN r.id AS id
