#!/usr/bin/env bash
# `make demo`: local Neo4j, the `small` demo brand generated and loaded, influence computed,
# demo API keys, then the API, HQ page and store maps served on http://127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
fission=.venv/bin/fission
data=.var/data/small
keys=.var/demo-keys.json

$fission server start
if [ ! -f "$data/summary.json" ]; then
  $fission generate --preset small --seed 7 --end today --format parquet --out "$data"
fi
$fission load "$data"
if [ ! -f "$keys" ]; then
  store=$(.venv/bin/python -c "import pandas as pd; print(pd.read_parquet('$data/stores.parquet').store_id.min())")
  $fission api-key create --name demo-hq --role hq --save-plain "$keys"
  $fission api-key create --name "demo-$store" --role store --store "$store" --save-plain "$keys"
  $fission api-key create --name demo-ingest --role ingest --save-plain "$keys"
fi
hq=$(.venv/bin/python -c "import json; print(json.load(open('$keys'))['demo-hq'])")
cat <<TXT

Demo brand loaded. Neo4j: bolt://127.0.0.1:7687 (user neo4j, password in .var/neo4j-password).
  HQ page (all stores, links to maps):  http://127.0.0.1:8000/?key=$hq
  API docs (OpenAPI):                   http://127.0.0.1:8000/docs
  Demo keys (hq, one store, ingest):    $keys
  Try: curl -H "X-API-Key: $hq" http://127.0.0.1:8000/stores?limit=3
Stop the API with Ctrl-C; stop Neo4j with: make server-stop
TXT
exec $fission serve
