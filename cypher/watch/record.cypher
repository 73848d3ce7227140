// Records what the drop folder did with files (by content): `loading` before their rows are
// read, then `done` or `failed` with the run, the rejected rows and the reason. The file is
// not moved yet: after a crash, a file still in the folder whose record says done or failed is
// moved without being loaded again.
// mode: write
// params: $rows ([{sha256, name, size, outcome, run_id, rejected, reason}]), $now (datetime)
// columns: none
UNWIND $rows AS r
MERGE (f:LoadedFile {sha256: r.sha256})
SET f.name = r.name, f.size = r.size, f.outcome = r.outcome, f.run_id = r.run_id,
    f.rejected = r.rejected, f.reason = r.reason, f.recorded_at = $now, f.moved_at = null,
    f.moved_to = null
