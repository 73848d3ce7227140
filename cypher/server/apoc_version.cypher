// APOC's version (only run when the server has `apoc.version`).
// mode: read
// params: none
// columns: version
RETURN apoc.version() AS version
