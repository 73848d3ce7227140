// Where the server keeps its store files and transaction logs (its own configuration), to
// measure the database's size on disk when that folder is visible from this machine.
// mode: read
// params: none
// columns: name, value
CALL dbms.listConfig('server.directories')
YIELD name, value
WHERE name IN ['server.directories.data', 'server.directories.transaction.logs.root']
RETURN name, value
