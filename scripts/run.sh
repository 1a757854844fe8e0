#!/usr/bin/env bash
# Starts local PostgreSQL, builds GrantLedger, seeds the SOS Central Asia demo (once) and serves it.
#   scripts/run.sh                 serves on http://127.0.0.1:5080 (GRANTLEDGER_URL overrides), Development, demo seeded
#   scripts/run.sh --demo          seeds the demo in another non-Production ASPNETCORE_ENVIRONMENT too
#   scripts/run.sh --no-demo       serves without the demo users and data
# The demo is seeded only in Development (the default here) or with --demo; Production refuses to start with it
# (docs/operations.md, "Production settings").
set -euo pipefail

demo=""
for arg in "$@"; do
  case "$arg" in
    --demo) demo=true ;;
    --no-demo) demo=false ;;
    *) echo "run.sh: unknown option $arg (options: --demo, --no-demo)" >&2; exit 2 ;;
  esac
done

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
url="${GRANTLEDGER_URL:-http://127.0.0.1:5080}"
cd "$repo"

command -v curl >/dev/null || { echo "run.sh: installing curl" >&2; apt-get update -qq && apt-get install -y -qq curl >&2; }

# Two roles (docs/operations.md): the schema owner applies the schema, the app connects as the runtime role, which can
# read and append the ledger's history but never rewrite it.
owner_connection="$(scripts/postgres.sh --owner grantledger | tail -n 1)"
connection="$(scripts/postgres.sh grantledger 2>/dev/null | tail -n 1)"

echo "run.sh: building" >&2
dotnet build src/GrantLedger.Api/GrantLedger.Api.csproj -c Release -nologo -v quiet

export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
# The audit checkpoint signing key (generated on first start outside Production) and its journal stay outside the
# database, under .data/keys with the Data Protection keys.
export GrantLedger__DataProtection__KeysDirectory="${GrantLedger__DataProtection__KeysDirectory:-$repo/.data/keys}"
export GrantLedger__Audit__SigningKeyPath="${GrantLedger__Audit__SigningKeyPath:-$repo/.data/keys/audit-signing-key.pem}"

echo "run.sh: applying the schema as the owner (db-apply)" >&2
ConnectionStrings__GrantLedger="$owner_connection" dotnet run --project src/GrantLedger.Api/GrantLedger.Api.csproj -c Release --no-build \
  --no-launch-profile -- db-apply >&2

export ConnectionStrings__GrantLedger="$connection"
export ASPNETCORE_URLS="$url"
if [[ -z "$demo" ]]; then
  if [[ "$ASPNETCORE_ENVIRONMENT" == Development ]]; then demo=true; else demo=false; fi
fi
if [[ "$demo" == true && "$ASPNETCORE_ENVIRONMENT" == Production ]]; then
  echo "run.sh: --demo is refused in Production (demo users have a published password)" >&2
  exit 1
fi
export GrantLedger__Demo__Seed="$demo"
password="${GRANTLEDGER_DEMO_PASSWORD:-snowleopard}"
if [[ "$demo" == true ]]; then export GRANTLEDGER_DEMO_PASSWORD="$password"; fi

dotnet run --project src/GrantLedger.Api/GrantLedger.Api.csproj -c Release --no-build --no-launch-profile &
app=$!
trap 'kill "$app" 2>/dev/null || true' INT TERM EXIT

for _ in $(seq 1 120); do
  if curl -fsS "$url/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$app" 2>/dev/null; then echo "run.sh: the app exited during start-up" >&2; exit 1; fi
  sleep 0.5
done

cat <<MSG

  GrantLedger ($ASPNETCORE_ENVIRONMENT) is serving at $url
    in a browser: $url/signin
    health:      $url/health
    OpenAPI:     $url/openapi/v1.json
    database:    the app connects as grantledger_app (read and append only; db-apply ran as grantledger)
    signing key: $GrantLedger__Audit__SigningKeyPath (public key: GET $url/api/audit/public-key)

MSG
if [[ "$demo" == true ]]; then
cat <<MSG
  The SOS Central Asia demo is seeded.
  Demo logins (demo data only; password: $password)
    finance@ecaro.example          finance: grants, payments, reversals, milestone reviews
    approver@ecaro.example         finance + approver: second pair of eyes from 10,000 EUR
    auditor@audit.example          auditor: reads everything, audit trail and verification
    admin@ecaro.example            admin: users
    grantee@snowleopard.example    Snow Leopard Trust (Kyrgyzstan)
    bishkek@snowleopard.example    Snow Leopard Trust, Bishkek office: pages in Russian
    grantee@slconservancy.example  Snow Leopard Conservancy (Kyrgyzstan, Tajikistan)
    grantee@wwb.example            Wildlife Without Borders (Kazakhstan)

  Try:
    token=\$(curl -s -X POST $url/api/auth/token -H 'Content-Type: application/json' \\
      -d '{"email":"finance@ecaro.example","password":"$password"}' | sed -E 's/.*"accessToken":"([^"]+)".*/\\1/')
    curl -s -H "Authorization: Bearer \$token" $url/api/programmes

MSG
fi
echo "  Press Ctrl+C to stop."
echo
wait "$app"
