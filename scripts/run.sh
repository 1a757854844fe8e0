#!/usr/bin/env bash
# Starts local PostgreSQL, builds GrantLedger, seeds the SOS Central Asia demo (once) and serves it.
#   scripts/run.sh                 serves on http://127.0.0.1:5080 (GRANTLEDGER_URL overrides)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
url="${GRANTLEDGER_URL:-http://127.0.0.1:5080}"
cd "$repo"

command -v curl >/dev/null || { echo "run.sh: installing curl" >&2; apt-get update -qq && apt-get install -y -qq curl >&2; }

connection="$(scripts/postgres.sh grantledger | tail -n 1)"

echo "run.sh: building" >&2
dotnet build src/GrantLedger.Api/GrantLedger.Api.csproj -c Release -nologo -v quiet

export ConnectionStrings__GrantLedger="$connection"
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
export ASPNETCORE_URLS="$url"
export GrantLedger__Demo__Seed="${GrantLedger__Demo__Seed:-true}"

dotnet run --project src/GrantLedger.Api/GrantLedger.Api.csproj -c Release --no-build --no-launch-profile &
app=$!
trap 'kill "$app" 2>/dev/null || true' INT TERM EXIT

for _ in $(seq 1 120); do
  if curl -fsS "$url/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$app" 2>/dev/null; then echo "run.sh: the app exited during start-up" >&2; exit 1; fi
  sleep 0.5
done

cat <<MSG

  GrantLedger is serving the SOS Central Asia demo at $url
    programmes:  curl $url/api/programmes
    OpenAPI:     $url/openapi/v1.json
    health:      $url/health
  Demo logins: none yet - sign-in arrives with issue 3/8; until then the X-Actor header names who acts
    (e.g. curl -H 'X-Actor: finance@ecaro.demo' ...); without it the actor is 'system'.
  Press Ctrl+C to stop.

MSG
wait "$app"
