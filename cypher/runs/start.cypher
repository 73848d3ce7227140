// Records that a load run started (loaders.runs): a :LoadRun marked `running` until it ends,
// so a run that never finished (a crash, a kill) still shows in `fission status`.
// mode: write
// params: $run (map: {id, source, host, files ([path]), since, until (datetime or null)}),
//   $now (datetime)
// columns: id
CREATE (r:LoadRun {id: $run.id})
SET r += $run, r.started_at = $now, r.status = 'running'
RETURN r.id AS id
