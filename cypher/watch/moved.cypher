// Records where the drop folder moved files once their load was recorded.
// mode: write
// params: $rows ([{sha256, moved_to}]), $now (datetime)
// columns: none
UNWIND $rows AS r
MATCH (f:LoadedFile {sha256: r.sha256})
SET f.moved_at = $now, f.moved_to = r.moved_to
