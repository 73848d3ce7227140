// What the drop folder already did with files of this content (by SHA-256): the outcome of
// their load (`loading` until it ends, then `done` or `failed`) and whether the file was moved.
// mode: read
// params: $hashes ([sha256 hex])
// columns: sha256, name, outcome, run_id, rejected, recorded_at (datetime),
//   moved_at (datetime or null)
UNWIND $hashes AS h
MATCH (f:LoadedFile {sha256: h})
RETURN f.sha256 AS sha256, f.name AS name, f.outcome AS outcome, f.run_id AS run_id,
       f.rejected AS rejected, f.recorded_at AS recorded_at, f.moved_at AS moved_at
