// Which of these person ids (given as SHA-256) belong to people erased on request.
// Parameters: $hashes: [sha256 hex].
// Returns: id_sha256.
UNWIND $hashes AS h
MATCH (e:ErasedPerson {id_sha256: h})
RETURN e.id_sha256 AS id_sha256
