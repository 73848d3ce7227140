// The Graph Data Science library's version (only run when the server has `gds.version`).
// mode: read
// params: none
// columns: version
RETURN gds.version() AS version
