#!/usr/bin/env bash
# Black-box run of the REST API from its own OpenAPI description with Schemathesis: every
# operation gets generated requests (valid and not) and must never answer 5xx, must answer in
# the documented shape, and must not accept what the schema forbids.
# Usage: scripts/api-fuzz.sh [base-url]   (a running server with the demo admin; default :3000)
set -euo pipefail
BASE=${1:-http://127.0.0.1:3000}
command -v st >/dev/null || pip install -q "schemathesis==4.*"
JAR=$(mktemp)
trap 'rm -f "$JAR"' EXIT
curl -sf -c "$JAR" -o /dev/null "$BASE/api/sign_in" \
  --data-urlencode "email=admin@pressrun.example" --data-urlencode "password=pressrun-admin" --data-urlencode "next=/"
KEY=$(curl -sf -b "$JAR" "$BASE/api/create_api_key" --data-urlencode "name=api-fuzz $(date +%s)" --data-urlencode "scope=write" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
st run "$BASE/api/v1/openapi.json" --url "$BASE/api/v1" -H "Authorization: Bearer $KEY" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --max-examples "${API_FUZZ_EXAMPLES:-50}" --workers 2 "${@:2}"
