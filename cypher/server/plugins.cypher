// Which of the plugin version functions the server has (Graph Data Science, APOC): asked
// before calling them, since an unknown function fails the whole query.
// mode: read
// params: $names ([function name])
// columns: names ([function name] (those the server has))
SHOW FUNCTIONS YIELD name WHERE name IN $names
RETURN collect(name) AS names
