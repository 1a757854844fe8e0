# Sourced by bench.sh and chaos.sh: starts the built app (Release) against a schema of its own and waits for /health.
# It loads Wolverine's checked-in generated code as Production does (no Roslyn at start; scripts/codegen.sh).
# Its Data Protection keys, audit signing key and checkpoint journal live in .data/keys-<schema>, so tokens issued
# before a restart stay valid after it and every restart signs with the same key.
#   fresh_schema <owner connection> <schema>  drops the schema and its checkpoint journal, then db-apply
#   db_apply <owner connection> <schema>      db-apply as the schema owner (schema, triggers, the runtime role's grants)
#   start_app <connection> <schema> <port>    as the runtime role; sets $app (the app's pid) and $app_url; the caller's
#                                             EXIT trap stops it
#   stop_app                                  kills it (kill -9 with "stop_app -9").
# Extra settings for the app, e.g. app_env=(GrantLedger__Clock__OffsetSeconds=86400), go in the array app_env.
# GRANTLEDGER_APP_ENV="NAME=value NAME2=value" adds settings from outside (bench.sh lever runs, e.g. DOTNET_gcServer=0).
read -r -a app_env <<< "${GRANTLEDGER_APP_ENV:-}"
driver() { dotnet "$repo/src/GrantLedger.Benchmarks/bin/Release/net10.0/GrantLedger.Benchmarks.dll" "$@"; }
api_dir="$repo/src/GrantLedger.Api/bin/Release/net10.0"

db_apply() {
  local owner="$1" schema="$2"
  (cd "$api_dir" && ASPNETCORE_ENVIRONMENT=Testing ConnectionStrings__GrantLedger="$owner" GrantLedger__SchemaName="$schema" \
    GrantLedger__Audit__SigningKeyPath="$repo/.data/keys-$schema/audit-signing-key.pem" Logging__LogLevel__Default=Warning \
    dotnet GrantLedger.Api.dll db-apply > "/tmp/grantledger-$schema-db-apply.log" 2>&1) \
    || { echo "db-apply failed; see /tmp/grantledger-$schema-db-apply.log" >&2; cat "/tmp/grantledger-$schema-db-apply.log" >&2; return 1; }
}

fresh_schema() {
  local owner="$1" schema="$2"
  driver drop-schema "$owner" "$schema"
  rm -f "$repo/.data/keys-$schema"/audit-checkpoints-*.jsonl
  db_apply "$owner" "$schema"
}

start_app() {
  local connection="$1" schema="$2" port="$3"
  app_url="http://127.0.0.1:$port"
  (cd "$api_dir" && exec env ASPNETCORE_ENVIRONMENT=Testing ASPNETCORE_URLS="$app_url" \
    ConnectionStrings__GrantLedger="$connection" GrantLedger__SchemaName="$schema" GrantLedger__Demo__Seed=true \
    GRANTLEDGER_DEMO_PASSWORD=snowleopard GrantLedger__RateLimits__SignIn__PerAddress=100000 GrantLedger__RateLimits__SignIn__PerUser=100000 GrantLedger__RateLimits__Reports__PerUser=100000 GrantLedger__RateLimits__Reports__PerAddress=100000 \
    GrantLedger__RateLimits__Verification__PerUser=100000 GrantLedger__RateLimits__Verification__PerAddress=100000 GrantLedger__RateLimits__Imports__PerUser=100000 GrantLedger__RateLimits__Imports__PerAddress=100000 Logging__LogLevel__Default=Warning \
    GrantLedger__DataProtection__KeysDirectory="$repo/.data/keys-$schema" GrantLedger__CodeGeneration__Static=true \
    GrantLedger__Audit__SigningKeyPath="$repo/.data/keys-$schema/audit-signing-key.pem" "${app_env[@]}" \
    dotnet GrantLedger.Api.dll >> "/tmp/grantledger-$schema-app.log" 2>&1) &
  app=$!
  for _ in $(seq 1 120); do
    curl -sf "$app_url/health" > /dev/null && return 0
    kill -0 "$app" 2>/dev/null || break
    sleep 0.5
  done
  echo "the app did not start; see /tmp/grantledger-$schema-app.log" >&2
  tail -n 20 "/tmp/grantledger-$schema-app.log" >&2
  return 1
}

stop_app() {
  kill "${1:--TERM}" "$app" 2>/dev/null || true
  wait "$app" 2>/dev/null || true
}
