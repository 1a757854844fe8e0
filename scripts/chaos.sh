#!/usr/bin/env bash
# Reliability scenarios against the running app (7/8). Each prints its figures; the script fails when one fails.
#   scripts/chaos.sh           the full run (10,000 hostile requests); writes docs/reliability.md
#   scripts/chaos.sh --short   the short run scripts/test.sh includes (2,000 requests); writes nothing
# Built so far: "bad input" (every request refused with a 4xx, nothing changed, the ledger reconciles) and "crash"
# (kill -9 mid-storm; every acknowledged payment present once, none extra, reconciled) and "two nodes" (two app
# processes, 16 clients racing for one grant's last euros: no overspend). Not built yet: database restart, the
# durable schedule across downtime.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
short=false; [[ "${1:-}" == "--short" ]] && short=true
requests=10000; $short && requests=2000

connection="${ConnectionStrings__GrantLedger:-$(scripts/postgres.sh grantledger_test | tail -n 1)}"
if [[ ! -f src/GrantLedger.Benchmarks/bin/Release/net10.0/GrantLedger.Benchmarks.dll || "${GRANTLEDGER_CHAOS_BUILD:-true}" == "true" ]]; then
  dotnet build src/GrantLedger.Benchmarks/GrantLedger.Benchmarks.csproj -c Release -nologo -v quiet > /dev/null
  dotnet build src/GrantLedger.Api/GrantLedger.Api.csproj -c Release -nologo -v quiet > /dev/null
fi
source scripts/app.sh

schema=chaos
port="${GRANTLEDGER_CHAOS_PORT:-5096}"
driver drop-schema "$connection" "$schema"
rm -f "/tmp/grantledger-$schema-app.log"
trap 'stop_app' EXIT
start_app "$connection" "$schema" "$port"

status=0
output="$(driver bad-input "$app_url" snowleopard "$requests")" || status=1
echo "$output"
echo "chaos.sh: bad input $(grep -q 'bad_input_5xx=0 bad_input_2xx=0' <<<"$output" && [[ $status -eq 0 ]] && echo passed || echo FAILED)"

# Crash: clients pay with idempotency keys and retry; the app is killed with SIGKILL mid-storm and started again.
storm=12; $short && storm=6
crash_log="$(mktemp)"
driver crash "$app_url" snowleopard "$storm" > "$crash_log" 2>&1 &
crash_driver=$!
for _ in $(seq 1 60); do grep -q crash_ready "$crash_log" && break; sleep 0.5; done
sleep 2
stop_app -KILL
echo "chaos.sh: killed the app with SIGKILL mid-storm; starting it again"
start_app "$connection" "$schema" "$port"
crash_status=0
wait "$crash_driver" || crash_status=1
crash_output="$(grep -v crash_ready "$crash_log")"; rm -f "$crash_log"
echo "$crash_output"
echo "chaos.sh: crash $([[ $crash_status -eq 0 ]] && echo passed || echo FAILED)"
[[ $crash_status -eq 0 ]] || status=1
output="$output
$crash_output"

# Two nodes: a second app process on the same database; 16 clients alternate between them for one grant's last euros.
first_app=$app; first_url=$app_url
trap 'stop_app; kill "$first_app" 2>/dev/null || true' EXIT
start_app "$connection" "$schema" "$((port + 1))"
race_status=0
race_output="$(driver race "$first_url" "$app_url" snowleopard)" || race_status=1
echo "$race_output"
echo "chaos.sh: two nodes $([[ $race_status -eq 0 ]] && echo passed || echo FAILED)"
[[ $race_status -eq 0 ]] || status=1
output="$output
$race_output"
stop_app
app=$first_app
stop_app

if ! $short; then
  value() { grep -o "$1=[^ ]*" <<<"$output" | head -n1 | cut -d= -f2; }
  cat > docs/reliability.md <<MD
# Reliability

Measured by \`scripts/chaos.sh\` on $(date -u +%Y-%m-%d) against the app started from the Release build with the SOS
Central Asia demo, on $(nproc) cores with PostgreSQL $(psql --version | awk '{print $3}') on the same machine.
\`scripts/test.sh\` runs the short version (2,000 requests) on every build.

## Bad input

$(value bad_input_requests) generated requests, sixteen kinds in rotation: amounts that are text, null, zero, negative, with three
decimals, 1e30 or 32 digits; impossible or non-ISO value dates; unknown, all-zero and malformed grant ids; bodies
that are not JSON, nested 5,000 deep or 2 MB long; an auditor or a grantee paying; a grantee reading another
grantee's grant; no credentials and a forged token; a payment beyond the grant; a stale \`expectedVersion\`;
reversing an unknown payment or without a reason; an award beyond the programme's allocation.

| Figure | Value |
|---|---|
| Responses 5xx | $(value bad_input_5xx) |
| Responses 2xx (a hostile request accepted) | $(value bad_input_2xx) |
| Events before / after | $(value bad_input_events_before) / $(value bad_input_events_after) |
| Every programme's allocation, commitments, payments and reservations unchanged | $(value bad_input_balances_unchanged) |
| Reconciliation afterwards (\`GET /api/admin/reconciliation\`) | $(value bad_input_reconciled) |
| Responses by status | $(value bad_input_statuses | sed 's/,/, /g') |

The first run found a 500: a write to the all-zero grant id reached Marten, which refuses an empty stream id. It now
answers 404 like any unknown id (a test in \`MalformedInputTests\` keeps it so).

## Crash

$(value crash_acknowledged) payments acknowledged by 8 clients, each paying 1.00 EUR into its own grant for $storm s under a fresh
idempotency key per payment and retrying with that key (every 100 ms) until the ledger answers; two seconds into the
storm the app is killed with SIGKILL and started again.

| Figure | Value |
|---|---|
| Payments acknowledged (2xx) / recorded on the grants | $(value crash_acknowledged) / $(value crash_recorded) |
| Acknowledged but missing | $(value crash_missing) |
| Recorded twice (same reference) | $(value crash_duplicates) |
| Recorded but never acknowledged | $(value crash_unacknowledged) |
| Retries (no answer, or the app down) | $(value crash_retries) |
| Reconciliation afterwards | $(value crash_reconciled) |

## Two nodes

Two app processes on one database (ports $port and $((port + 1))). 16 clients, alternating between the nodes, pay
10.00 EUR at a time out of a grant of $(value race_award) EUR, each until the ledger refuses it (422), retrying after a
version conflict (409).

| Figure | Value |
|---|---|
| Disbursed at the end / awarded | $(value race_disbursed) / $(value race_award) |
| Overspend | $(value race_overspend) |
| Payments acknowledged / recorded | $(value race_acknowledged) / $(value race_recorded) |
| Version conflicts answered 409 (then retried) | $(value race_conflicts) |
| Refusals 422 (no room left) | $(value race_refused) |
| Reconciliation afterwards | $(value race_reconciled) |

## Not built yet

A database restart
mid-storm, a milestone deadline passing while the app is down; each to be followed by the reconciliation.
MD
  echo "chaos.sh: wrote docs/reliability.md"
fi
exit $status
