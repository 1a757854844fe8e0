#!/usr/bin/env bash
# Reliability scenarios against the running app (7/8). Each prints its figures; the script fails when one fails.
#   scripts/chaos.sh           the full run (10,000 hostile requests); writes docs/reliability.md
#   scripts/chaos.sh --short   the short run scripts/test.sh includes (2,000 requests); writes nothing
# Built so far: "bad input" (every request refused with a 4xx, nothing changed, the ledger reconciles) and "crash"
# (kill -9 mid-storm; every acknowledged payment present once, none extra, reconciled) and "two nodes" (two app
# processes, 16 clients racing for one grant's last euros: no overspend) and "database" (PostgreSQL restarts, or its
# connections are refused for 5 s, mid-storm; the app recovers by itself, and /health/ready answers 503 meanwhile and 200
# after) and "durable schedule" (a milestone deadline passes while
# the app is down; it is recorded once the app is back) and "leader election" (Wolverine's agents on one of two nodes;
# they move to the survivor when it is killed) and "restore" (pg_dump, pg_restore into an empty database: the same
# ledger, reconciled, and a report made before the backup verifies).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
short=false; [[ "${1:-}" == "--short" ]] && short=true
requests=10000; $short && requests=2000

connection="${ConnectionStrings__GrantLedger:-$(scripts/postgres.sh grantledger_test | tail -n 1)}"
owner_connection="${GRANTLEDGER_OWNER_CONNECTION:-$(scripts/postgres.sh --owner grantledger_test | tail -n 1)}"
if [[ ! -f src/GrantLedger.Benchmarks/bin/Release/net10.0/GrantLedger.Benchmarks.dll || "${GRANTLEDGER_CHAOS_BUILD:-true}" == "true" ]]; then
  dotnet build src/GrantLedger.Benchmarks/GrantLedger.Benchmarks.csproj -c Release -nologo -v quiet > /dev/null
  dotnet build src/GrantLedger.Api/GrantLedger.Api.csproj -c Release -nologo -v quiet > /dev/null
fi
source scripts/app.sh

schema=chaos
port="${GRANTLEDGER_CHAOS_PORT:-5096}"
fresh_schema "$owner_connection" "$schema"
rm -f "/tmp/grantledger-$schema-app.log"
trap 'stop_app' EXIT
start_app "$connection" "$schema" "$port"

status=0
# finish <scenario> <exit status> <figures>: prints the figures and the verdict, and keeps the figures for the report.
output=""
finish() {
  echo "$3"
  echo "chaos.sh: $1 $([[ $2 -eq 0 ]] && echo passed || echo FAILED)"
  [[ $2 -eq 0 ]] || status=1
  output="$output
$3"
}
bad_status=0
bad_output="$(driver bad-input "$app_url" snowleopard "$requests")" || bad_status=1
grep -q 'bad_input_5xx=0 bad_input_2xx=0' <<<"$bad_output" || bad_status=1
grep -q 'bad_input_unanswered=0' <<<"$bad_output" || bad_status=1
finish "bad input" "$bad_status" "$bad_output"

# A storm of payments, each retried with its idempotency key until answered; two seconds in, "$2" disrupts it.
storm=12; $short && storm=6
storm() {
  local label="$1" disrupt="$2" log result=0
  log="$(mktemp)"
  driver crash "$app_url" snowleopard "$storm" "$label" > "$log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 60); do grep -q "${label}_ready" "$log" && break; sleep 0.5; done
  sleep 2
  "$disrupt"
  wait "$pid" || result=1
  local figures; figures="$(grep -v "${label}_ready" "$log")"; rm -f "$log"
  finish "$label" "$result" "$figures"
}

# Crash: the app is killed with SIGKILL mid-storm and started again.
kill_and_restart_app() {
  stop_app -KILL
  echo "chaos.sh: killed the app with SIGKILL mid-storm; starting it again"
  start_app "$connection" "$schema" "$port"
}
storm crash kill_and_restart_app

# Database: PostgreSQL restarts mid-storm (full run, when this checkout's cluster is the one in use); otherwise, and
# in the short run, every connection to the database is cut. The app is left alone: it must recover by itself.
pg_port="$(sed -E 's/.*Port=([0-9]+).*/\1/' <<<"$connection")"; pg_db="$(sed -E 's/.*Database=([^;]+).*/\1/' <<<"$connection")"
pgdata="$repo/.data/pg"; pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
as_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
database_disruption="connections refused for 5 s"
# Readiness is watched through the outage: /health/ready must answer 503 while the database is away and 200 again after.
ready_log="$(mktemp)"
watch_readiness() { while :; do curl -s -o /dev/null -m 2 -w '%{http_code}\n' "$app_url/health/ready" >> "$ready_log" || true; sleep 0.25; done; }
disrupt_database() {
  watch_readiness & ready_watcher=$!
  if ! $short && [[ -n "$pg_bin" ]] && as_pg "$pg_bin/pg_ctl" -D "$pgdata" status > /dev/null 2>&1; then
    database_disruption="PostgreSQL stopped for 5 s (pg_ctl stop -m fast, then start)"
    as_pg "$pg_bin/pg_ctl" -D "$pgdata" stop -m fast -w -t 60 > /dev/null
    sleep 5
    as_pg "$pg_bin/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w -t 60 start > /dev/null
  else
    # The shared cluster stays up (other databases use it): this database refuses connections for 5 s instead.
    PGPASSWORD=grantledger psql -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -qtAc "alter database $pg_db allow_connections false" > /dev/null
    PGPASSWORD=grantledger psql -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -qtAc \
      "select count(pg_terminate_backend(pid)) from pg_stat_activity where datname = '$pg_db' and pid <> pg_backend_pid()" > /dev/null
    sleep 5
    PGPASSWORD=grantledger psql -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -qtAc "alter database $pg_db allow_connections true" > /dev/null
  fi
  echo "chaos.sh: database disrupted mid-storm: $database_disruption"
}
storm database disrupt_database
ready_result=0
for _ in $(seq 1 60); do [[ "$(tail -n 1 "$ready_log")" == 200 ]] && break; sleep 0.5; done
kill "$ready_watcher" 2>/dev/null || true; wait "$ready_watcher" 2>/dev/null || true
ready_unready="$(grep -cv '^200$' "$ready_log" || true)"; ready_last="$(tail -n 1 "$ready_log")"
[[ "$ready_unready" -gt 0 && "$ready_last" == 200 ]] || ready_result=1
finish readiness "$ready_result" "readiness_probes=$(wc -l < "$ready_log") readiness_unready=$ready_unready readiness_last=$ready_last"
rm -f "$ready_log"

# Two nodes: a second app process on the same database; 16 clients alternate between them for one grant's last euros.
first_app=$app; first_url=$app_url
trap 'stop_app; kill "$first_app" 2>/dev/null || true' EXIT
sql() { PGPASSWORD=grantledger PGOPTIONS="-c client_min_messages=warning" psql -h 127.0.0.1 -p "$pg_port" -U postgres -d "$pg_db" -qtAc "$1"; }
first_node="$(sql "select coalesce(max(node_number), 0) from $schema.wolverine_nodes")"
start_app "$connection" "$schema" "$((port + 1))"
for _ in $(seq 1 60); do # the second node registers itself as it starts; wait until its row is there
  second_node="$(sql "select coalesce(max(node_number), 0) from $schema.wolverine_nodes")"
  [[ "$second_node" != "$first_node" ]] && break
  sleep 0.5
done
race_status=0
race_output="$(driver race "$first_url" "$app_url" snowleopard)" || race_status=1
finish "two nodes" "$race_status" "$race_output"

# Leader election: with both nodes up, Wolverine's agents (the leader, and the durability agent that runs scheduled
# messages and recovers the inbox and outbox) must each run on one of the live nodes, not on every node. The node
# holding the durability agent is then killed with SIGKILL: the survivor must take every agent over by itself, once
# the dead node's health check is stale (GrantLedger:Cluster:StaleNodeSeconds).
assignments() { sql "select coalesce(string_agg(a.id || '@' || n.node_number, ' ' order by a.id), '') from $schema.wolverine_node_assignments a join $schema.wolverine_nodes n on n.id = a.node_id"; }
on_live_node() { [[ "$1" =~ wolverine://leader/@($first_node|$second_node)( |$) && "$1" =~ wolverinedb://[^@]*@($first_node|$second_node)( |$) ]]; }
leader_status=1; agents=""; settle_start=$(date +%s%N)
settle_tries=360
if [[ "$second_node" == "$first_node" ]]; then echo "chaos.sh: the second node never registered"; settle_tries=0; fi
for _ in $(seq 1 "$settle_tries"); do
  agents="$(assignments)"
  if on_live_node "$agents"; then leader_status=0; break; fi
  sleep 0.25
done
settle_ms=$(( ($(date +%s%N) - settle_start) / 1000000 ))
holder="$(grep -oE 'wolverinedb://[^@]*@[0-9]+' <<<"$agents" | cut -d@ -f2)"
leader_node="$(grep -oE 'wolverine://leader/@[0-9]+' <<<"$agents" | cut -d@ -f2)"
if [[ $leader_status -eq 0 ]]; then
  if [[ "$holder" == "$first_node" ]]; then victim=$first_app; survivor=$second_node; else victim=$app; survivor=$first_node; fi
  kill -KILL "$victim"; wait "$victim" 2>/dev/null || true
  failover_start=$(date +%s%N); leader_status=1
  for _ in $(seq 1 480); do
    after="$(assignments)"
    if [[ "$after" =~ wolverine://leader/@$survivor( |$) && "$after" =~ wolverinedb://[^@]*@$survivor( |$) ]]; then leader_status=0; break; fi
    sleep 0.25
  done
  failover_ms=$(( ($(date +%s%N) - failover_start) / 1000000 ))
fi
leader_output="leader_nodes=$first_node,$second_node leader_settle_ms=$settle_ms leader_assignments_before=$(tr ' ' ',' <<<"$agents") leader_on=${leader_node:-none} leader_killed=${holder:-none} leader_after=${survivor:-none} leader_failover_ms=${failover_ms:-none} leader_assignments_after=$(tr ' ' ',' <<<"${after:-}")"
finish "leader election" "$leader_status" "$leader_output"
stop_app
app=$first_app
stop_app

# Durable schedule: the app runs on a clock set $lead seconds before midnight (UTC) two days ahead, and a milestone is
# planned due that day. The app is killed before midnight and started again after it, on the same clock: the missed
# deadline (a durable scheduled message) must be recorded once it is back.
lead=60 # a cold start, the plan and the agent assignment must all fit before the deadline on a slow machine
due="$(date -u -d '+2 days' +%F)"
midnight=$(( $(date -u -d "$due 23:59:59" +%s) + 1 ))
offset=$(( midnight - lead - $(date +%s) ))
deadline_real=$(( midnight - offset ))
app_env=("GrantLedger__Clock__OffsetSeconds=$offset")
start_app "$connection" "$schema" "$port"
deadline_status=0
plan="$(driver deadline-plan "$app_url" snowleopard "$due")" || deadline_status=1
# The hard case: the node dies while it holds the durability agent, so the restarted node must first see it as dead.
this_node="$(sql "select coalesce(max(node_number), 0) from $schema.wolverine_nodes")"
for _ in $(seq 1 120); do
  [[ "$(assignments)" =~ wolverinedb://[^@]*@$this_node( |$) ]] && break
  sleep 0.25
done
holder_at_kill="$(grep -oE 'wolverinedb://[^@]*@[0-9]+' <<<"$(assignments)" | cut -d@ -f2)"
killed_at=$(date +%s)
stop_app -KILL
echo "chaos.sh: planned a milestone due $due on the app's clock; killed the app (node $this_node, durability agent on node ${holder_at_kill:-none}) $((deadline_real - killed_at)) s before its deadline"
while (( $(date +%s) <= deadline_real + 1 )); do sleep 0.5; done
restarted_at=$(date +%s)
start_app "$connection" "$schema" "$port"
ids="$(grep -o 'deadline_grant=[^ ]*' <<<"$plan" | cut -d= -f2) $(grep -o 'deadline_milestone=[^ ]*' <<<"$plan" | cut -d= -f2)"
# shellcheck disable=SC2086
deadline_output="$(driver deadline-check "$app_url" snowleopard $ids "$killed_at" "$deadline_real" "$restarted_at" "$(date -u -d "@$midnight" +%Y-%m-%dT%H:%M:%SZ)")" \
  || deadline_status=1
deadline_output="$deadline_output deadline_agent_on_killed_node=$([[ "${holder_at_kill:-}" == "$this_node" ]] && echo yes || echo no)"
finish "durable schedule" "$deadline_status" "$plan
$deadline_output"

# Restore: a backup of the ledger (pg_dump of its schema, as docs/operations.md says) restored into an empty database
# must be the same ledger: same audit chain head, balances and events; it reconciles; a report generated before the
# backup verifies against it.
restore_status=0; restore_dir="$(mktemp -d)"
driver restore-before "$app_url" snowleopard "$restore_dir" > /dev/null || restore_status=1
pg_tool() { if [[ -n "$pg_bin" && -x "$pg_bin/$1" ]]; then echo "$pg_bin/$1"; else command -v "$1"; fi; }
restore_db="${pg_db}_restore"
restore_started=$(date +%s%N)
# The checkpoint journal (outside the database) as it was when the backup was taken goes with the backup.
restore_keys="$repo/.data/keys-$schema-restore"; rm -rf "$restore_keys"; cp -r "$repo/.data/keys-$schema" "$restore_keys"
PGPASSWORD=grantledger "$(pg_tool pg_dump)" -h 127.0.0.1 -p "$pg_port" -U grantledger -d "$pg_db" --format=custom --schema="$schema" \
  --file="$restore_dir/ledger.dump" || restore_status=1
sql "drop database if exists $restore_db with (force)" > /dev/null
sql "create database $restore_db owner grantledger" > /dev/null
PGPASSWORD=grantledger "$(pg_tool pg_restore)" -h 127.0.0.1 -p "$pg_port" -U grantledger -d "$restore_db" --no-owner --exit-on-error \
  "$restore_dir/ledger.dump" || restore_status=1
# As after any restore: db-apply as the owner (the runtime role's grants, the triggers), then the app as the runtime role.
db_apply "${owner_connection/Database=$pg_db/Database=$restore_db}" "$schema" || restore_status=1
restore_ms=$(( ($(date +%s%N) - restore_started) / 1000000 ))
dump_kb=$(( $(stat -c %s "$restore_dir/ledger.dump") / 1024 ))
original_app=$app
trap 'stop_app; kill "$original_app" 2>/dev/null || true' EXIT
saved_env=("${app_env[@]}"); app_env+=("GrantLedger__Audit__CheckpointJournalPath=$restore_keys/audit-checkpoints-$schema.jsonl")
start_app "${connection/Database=$pg_db/Database=$restore_db}" "$schema" "$((port + 1))"
app_env=("${saved_env[@]}")
restore_output="$(driver restore-after "$app_url" snowleopard "$restore_dir") restore_dump_kb=$dump_kb restore_dump_and_restore_ms=$restore_ms" || restore_status=1
finish "restore" "$restore_status" "$restore_output"
rm -rf "$restore_dir"
stop_app
app=$original_app
stop_app
sql "drop database if exists $restore_db with (force)" > /dev/null
rm -rf "$restore_keys"

if ! $short; then
  value() { grep -o "$1=[^ ]*" <<<"$output" | head -n1 | cut -d= -f2; }
  cat > docs/reliability.md <<MD
# Reliability

Measured by \`scripts/chaos.sh\` on $(date -u +%Y-%m-%d) against the app started from the Release build with the SOS
Central Asia demo, on $(nproc) cores with PostgreSQL $(psql --version | awk '{print $3}') on the same machine.
\`scripts/test.sh\` runs the short version (2,000 requests) on every build.

## Bad input

$(value bad_input_requests) generated requests, twenty-two kinds in rotation: amounts that are text, null, zero, negative, with three
decimals, 1e30 or 32 digits; impossible or non-ISO value dates; unknown, all-zero and malformed grant ids; bodies
that are not JSON, nested 5,000 deep or 2 MB long; an auditor or a grantee paying; a grantee reading another
grantee's grant; no credentials and a forged token; a payment beyond the grant; a stale \`expectedVersion\`;
reversing an unknown payment or without a reason; an award beyond the programme's allocation; and oversize input
(docs/api.md, Limits): a reason up to 500,000 characters, a report with 501 to 3,000 entries, JSON bodies of 1 to 5 MB
declared and 2 MB chunked, a CSV of 5,001 rows, a form of 1,100 fields and (every 220th request) a 21 MB report PDF to
verify.

| Figure | Value |
|---|---|
| Responses 5xx | $(value bad_input_5xx) |
| Responses 2xx (a hostile request accepted) | $(value bad_input_2xx) |
| Requests dropped without an answer | $(value bad_input_unanswered) |
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

## Database

The same storm against the running app; two seconds in: $database_disruption. The app is not restarted: it must
recover by itself.

| Figure | Value |
|---|---|
| Payments acknowledged (2xx) / recorded on the grants | $(value database_acknowledged) / $(value database_recorded) |
| Acknowledged but missing | $(value database_missing) |
| Recorded twice (same reference) | $(value database_duplicates) |
| Recorded but never acknowledged | $(value database_unacknowledged) |
| Retries (no answer, or an error while the database was away) | $(value database_retries) |
| Reconciliation afterwards | $(value database_reconciled) |
| \`/health/ready\` through the outage: probes / not \`200\` / last answer | $(value readiness_probes) / $(value readiness_unready) / $(value readiness_last) |

## Leader election

While both nodes run, Wolverine's agents are assigned in PostgreSQL (\`wolverine_node_assignments\`): the leader and the
durability agent (which runs scheduled messages such as milestone deadline checks and recovers the inbox and
outbox) each run on one live node, not on every node. The node holding the durability agent is then killed with
SIGKILL; nothing tells the survivor, which must notice the dead node's stale health check
(\`GrantLedger:Cluster:HealthCheckSeconds\` 5, \`StaleNodeSeconds\` 20) and take the agents over.

| Figure | Value |
|---|---|
| Nodes (Wolverine node numbers) | $(value leader_nodes) |
| Agents on live nodes, after the second node started | $(value leader_settle_ms) ms: $(value leader_assignments_before | sed 's/,/, /g') |
| Node killed (held the durability agent) / survivor | $(value leader_killed) / $(value leader_after) |
| Every agent on the survivor, after the kill | $(value leader_failover_ms) ms: $(value leader_assignments_after | sed 's/,/, /g') |

The projections are all inline (no Marten async daemon runs). The audit chainer runs on every node and takes a
PostgreSQL advisory lock per batch, so only one node chains at a time.

## Restore

The ledger's schema is dumped with \`pg_dump --format=custom --schema\` (as docs/operations.md advises) while the app
runs, restored with \`pg_restore\` into a new, empty database, and a second app started on it. Before the dump an
auditor generated the SOS Central Asia programme report and noted the audit chain's head and every balance.

| Figure | Value |
|---|---|
| Events in the restored ledger | $(value restore_events) |
| Audit chain valid / head the same as before the backup (sequence $(value restore_chain_head)) | $(value restore_chain_valid) / $(value restore_same_head) |
| Every programme's allocation, commitments and payments the same | $(value restore_same_balances) |
| The same number of events | $(value restore_same_events) |
| Reconciliation on the restored ledger | $(value restore_reconciled) |
| The report generated before the backup verifies (same bytes, figures, chain) | $(value restore_report_verifies) |
| Dump size / dump and restore time | $(value restore_dump_kb) kB / $(value restore_dump_and_restore_ms) ms |

## Durable schedule

The app runs on a clock set $lead s before midnight (UTC, \`GrantLedger:Clock:OffsetSeconds\`, accepted only in the Testing environment). A
milestone is planned due that day, so its deadline check, a durable scheduled message stored in PostgreSQL, is due at
midnight. Once the app's node holds Wolverine's durability agent, the app is killed with SIGKILL (before midnight) and
started again after it: the new node must first find the dead one stale (\`GrantLedger:Cluster:StaleNodeSeconds\`).

| Figure | Value |
|---|---|
| The deadline passed while the app was down | $(value deadline_passed_while_down) (down $(value deadline_down_s) s) |
| Missed deadline recorded after the restart | $(value deadline_recorded) |
| \`MilestoneBecameOverdue\` events (exactly one expected) | $(value deadline_overdue_events) |
| Recorded at (app clock) / deadline | $(value deadline_recorded_at) / $(value deadline_at) |
| The killed node held the durability agent (so the restarted node had to see it as dead first) | $(value deadline_agent_on_killed_node) |
| Seconds from the app answering again to the record | $(value deadline_after_restart_s) |
| Reconciliation afterwards | $(value deadline_reconciled) |
MD
  echo "chaos.sh: wrote docs/reliability.md"
fi
exit $status
