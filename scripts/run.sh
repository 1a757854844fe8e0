#!/usr/bin/env bash
# Starts local PostgreSQL, builds GrantLedger, seeds the SOS Central Asia demo (once) and serves it.
#   scripts/run.sh                 serves on http://127.0.0.1:5080 (GRANTLEDGER_URL overrides), Development, demo seeded
#   scripts/run.sh --demo          seeds the demo in another non-Production ASPNETCORE_ENVIRONMENT too
#   scripts/run.sh --no-demo       serves without the demo users and data
# It also starts smtp4dev, a local mail catcher (installed under .data/tools on first use), and points the app's e-mail
# at it: its web inbox (http://127.0.0.1:5081, GRANTLEDGER_INBOX_URL overrides; SMTP on 127.0.0.1:2525,
# GRANTLEDGER_SMTP_PORT) shows every message the ledger sends. With GrantLedger__Mail__Host set, that server is used instead.
# The demo is seeded only in Development (the default here) or with --demo; Production refuses to start with it
# (docs/operations.md, "Production settings").
set -euo pipefail

# Waits (up to a minute) until $1 answers; stops the script if process $2 has exited meanwhile (message $3).
wait_until_up() {
  for _ in $(seq 1 120); do
    if curl -fsS "$1" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$2" 2>/dev/null; then echo "run.sh: $3" >&2; exit 1; fi
    sleep 0.5
  done
}

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
inbox_url="${GRANTLEDGER_INBOX_URL:-http://127.0.0.1:5081}"
smtp_port="${GRANTLEDGER_SMTP_PORT:-2525}"
cd "$repo"

command -v curl >/dev/null || { echo "run.sh: installing curl" >&2; apt-get update -qq && apt-get install -y -qq curl >&2; }

# Two roles (docs/operations.md): the schema owner applies the schema, the app connects as the runtime role, which can
# read and append the ledger's history but never rewrite it.
database="${GRANTLEDGER_DATABASE:-grantledger}"
owner_connection="$(scripts/postgres.sh --owner "$database" | tail -n 1)"
connection="$(scripts/postgres.sh "$database" 2>/dev/null | tail -n 1)"

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
# /metrics for Prometheus, behind a bearer token made once and kept under .data (docs/operations.md, "Metrics").
if [[ -z "${GrantLedger__Metrics__ScrapeToken:-}" ]]; then
  token_file="$repo/.data/metrics-scrape-token"
  [[ -s "$token_file" ]] || (umask 077; mkdir -p "$repo/.data"; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$token_file")
  export GrantLedger__Metrics__ScrapeToken="$(cat "$token_file")"
fi
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

# E-mail: to a local smtp4dev unless a server is configured. Its inbox is kept under .data/smtp4dev across runs.
inbox=""
app=""
stop() {
  if [[ -n "$app" ]]; then kill "$app" 2>/dev/null || true; wait "$app" 2>/dev/null || true; fi
  if [[ -n "$inbox" ]]; then kill "$inbox" 2>/dev/null || true; wait "$inbox" 2>/dev/null || true; fi
}
trap stop INT TERM EXIT
if [[ -z "${GrantLedger__Mail__Host:-}" ]]; then
  smtp4dev="$repo/.data/tools/smtp4dev/smtp4dev"
  if [[ ! -x "$smtp4dev" ]]; then
    echo "run.sh: installing smtp4dev (the local mail catcher) under .data/tools" >&2
    dotnet tool install --tool-path "$repo/.data/tools/smtp4dev" Rnwood.Smtp4dev --version 3.15.0 >&2
  fi
  mkdir -p "$repo/.data/smtp4dev"
  "$smtp4dev" --baseappdatapath="$repo/.data/smtp4dev" --db="$repo/.data/smtp4dev/inbox.db" --nousersettings \
    --urls="$inbox_url" --bindaddress=127.0.0.1 --smtpport="$smtp_port" --imapport= --pop3port= --hostname=localhost \
    >"$repo/.data/smtp4dev/smtp4dev.log" 2>&1 &
  inbox=$!
  wait_until_up "$inbox_url/" "$inbox" "smtp4dev exited during start-up (see .data/smtp4dev/smtp4dev.log)"
  export GrantLedger__Mail__Host=127.0.0.1 GrantLedger__Mail__Port="$smtp_port" GrantLedger__Mail__Security=None
  export GrantLedger__Mail__From="${GrantLedger__Mail__From:-GrantLedger demo <no-reply@grantledger.localhost>}"
fi
export GrantLedger__Mail__Enabled="${GrantLedger__Mail__Enabled:-true}"
export GrantLedger__Mail__PublicBaseUrl="${GrantLedger__Mail__PublicBaseUrl:-$url}"

dotnet run --project src/GrantLedger.Api/GrantLedger.Api.csproj -c Release --no-build --no-launch-profile &
app=$!

wait_until_up "$url/health/ready" "$app" "the app exited during start-up"

cat <<MSG

  GrantLedger ($ASPNETCORE_ENVIRONMENT) is serving at $url
    in a browser: $url/signin
    health:      $url/health/live (the process), $url/health/ready (ready to serve)
    metrics:     curl -H "Authorization: Bearer \$(cat .data/metrics-scrape-token)" $url/metrics
    OpenAPI:     $url/openapi/v1.json
    database:    the app connects as grantledger_app (read and append only; db-apply ran as grantledger)
    signing key: $GrantLedger__Audit__SigningKeyPath (public key: GET $url/api/audit/public-key)
    e-mail:      $(if [[ -n "$inbox" ]]; then echo "$inbox_url (smtp4dev's web inbox: every e-mail the ledger sends)"; else echo "to $GrantLedger__Mail__Host"; fi)

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

  The demo's overdue milestones are e-mailed to their grantees at start-up$(if [[ -n "$inbox" ]]; then echo ": read them at $inbox_url"; fi)
  (in each person's language; administrators see every delivery at GET $url/api/mail/deliveries).

  Try:
    token=\$(curl -s -X POST $url/api/auth/token -H 'Content-Type: application/json' \\
      -d '{"email":"finance@ecaro.example","password":"$password"}' | sed -E 's/.*"accessToken":"([^"]+)".*/\\1/')
    curl -s -H "Authorization: Bearer \$token" $url/api/programmes

MSG
fi
echo "  Press Ctrl+C to stop."
echo
wait "$app"
