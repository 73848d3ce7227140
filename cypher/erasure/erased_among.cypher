// Which of these person ids (given as SHA-256) belong to people erased on request.
// mode: read
// params: $hashes ([sha256 hex])
// columns: id_sha256
CYPHER replan=skip
UNWIND $hashes AS h
MATCH (e:ErasedPerson {id_sha256: h})
RETURN e.id_sha256 AS id_sha256
