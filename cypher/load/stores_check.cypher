// Checks store rows before writing; stores reference nothing, so every row is new or an update.
// Parameters: $rows: [{i, store_id}].
// Returns: i, status ('ok'), reason (null).
UNWIND $rows AS r
RETURN r.i AS i, 'ok' AS status, null AS reason
