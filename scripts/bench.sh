#!/usr/bin/env bash
# Benchmarks (not part of scripts/test.sh). Prints the figures and writes docs/benchmarks.md with the machine's facts.
#   scripts/bench.sh            everything (about 15 minutes), and rewrites docs/benchmarks.md
#   scripts/bench.sh --quick    only the HTTP figures and the long-history case (under two minutes), one line of
#                               name=value figures; docs/benchmarks.md is left alone
#   scripts/bench.sh --levers   the quick figures once as configured and once per lever, one after another, each app
#                               started fresh: levers of configuration (connection string, GC) and of code (the quick
#                               run of the revision before the lever); writes docs/benchmark-levers.md, which the full
#                               run includes in docs/benchmarks.md. GRANTLEDGER_LEVERS=1,3 runs only those rows.
#   scripts/bench.sh --section pages
#                               only the pages over a million events (about five minutes), name=value figures;
#                               docs/benchmarks.md is left alone
#   scripts/bench.sh --section gc
#                               the app's peak memory under 16 clients of payments for each garbage-collector setting
#                               (about six minutes); writes docs/benchmark-gc.md, which the full run also rewrites
set -euo pipefail
quick=false
levers=false
section=""
case "${1:-}" in
  --quick) quick=true ;;
  --levers) levers=true ;;
  --section) section="${2:-}"; [[ "$section" == pages || "$section" == gc ]] || { echo "usage: scripts/bench.sh --section pages|gc" >&2; exit 2; } ;;
  "") ;;
  *) echo "usage: scripts/bench.sh [--quick | --levers | --section pages|gc]" >&2; exit 2 ;;
esac

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

if $levers; then
  # name | settings for the app (GRANTLEDGER_APP_ENV) | connection string options for the app | git revision (a lever
  # that is code: the quick run of that revision, built in a worktree of its own, against the same PostgreSQL)
  runs=(
    "as configured|||"
    "Npgsql auto-prepare off (Max Auto Prepare=0; on by default since 2026-12-02)||;Max Auto Prepare=0|"
    "connections not reset when returned to the pool (No Reset On Close=true)||;No Reset On Close=true|"
    "spans recorded with no exporter, as before 075f263 (GrantLedger__Telemetry__Traces=true)|GrantLedger__Telemetry__Traces=true||"
    "server GC with DATAS, the ASP.NET default (DOTNET_gcServer=1 DOTNET_GCGen0MaxBudget=0; more GC rows: --section gc)|DOTNET_gcServer=1 DOTNET_GCGen0MaxBudget=0||"
    "Wolverine code compiled at start, as in tests (GrantLedger__CodeGeneration__Static=false)|GrantLedger__CodeGeneration__Static=false||"
    "before 075f263: holds read every grant of the organisation, spans recorded, background loops without pause (6014c22)|||6014c22"
    "before this wave's levers: snapshot with every payment, no payment documents, Roslyn at start (203740c)|||203740c"
  )
  [[ -n "${GRANTLEDGER_LEVERS:-}" ]] && IFS=',' read -r -a only <<< "$GRANTLEDGER_LEVERS" || only=()
  figures=(c1_http_p50_ms c16_http_per_s c16_http_p99_ms c16_read_per_s ratio_read ratio_raw long_history_ratio rss_mb)
  {
    echo "| Run | $(IFS='|'; echo "${figures[*]}" | sed 's/|/ | /g') |"
    echo "|---$(printf '|---:%.0s' "${figures[@]}")|"
  } > docs/benchmark-levers.md.tmp
  index=0
  for run in "${runs[@]}"; do
    index=$((index + 1))
    if [[ ${#only[@]} -gt 0 && ! " ${only[*]} " =~ " $index " ]]; then continue; fi
    IFS='|' read -r name env options revision <<< "$run"
    bench="$0"
    if [[ -n "$revision" ]]; then
      tree="/tmp/grantledger-lever-${revision//[^a-z0-9]/_}"
      [[ -d "$tree" ]] || git worktree add -q --detach "$tree" "$revision"
      bench="$tree/scripts/bench.sh"
    fi
    line="$(GRANTLEDGER_PGDATA="${GRANTLEDGER_PGDATA:-$repo/.data/pg}" GRANTLEDGER_APP_ENV="$env" GRANTLEDGER_BENCH_CONNECTION_OPTIONS="$options" \
      "$bench" --quick | tail -n 1)"
    echo "$name: $line"
    row="| $name |"
    for f in "${figures[@]}"; do row="$row $(grep -o "$f=[^ ]*" <<<"$line" | cut -d= -f2) |"; done
    echo "$row" >> docs/benchmark-levers.md.tmp
  done
  {
    echo "Measured by \`scripts/bench.sh --levers\` on $(date -u +%Y-%m-%d), $(nproc) cores; each row is \`bench.sh --quick\` with one"
    echo "setting changed and the app started fresh, one run after another (compare rows of the same table only). A row"
    echo "with a revision runs that revision's own quick driver against the same PostgreSQL. Rows differ by up to ±15% where"
    echo "nothing relevant changed: a lever smaller than that is not shown by one run."
    echo
    cat docs/benchmark-levers.md.tmp
  } > docs/benchmark-levers.md
  rm -f docs/benchmark-levers.md.tmp
  cat docs/benchmark-levers.md
  exit 0
fi
# The drivers (seeding, raw-SQL baselines, dropping schemas) connect as the schema owner; the app as the runtime role.
database="${GRANTLEDGER_BENCH_DATABASE:-grantledger_bench}"
connection="$(scripts/postgres.sh --owner "$database" | tail -n 1)"
app_connection="$(scripts/postgres.sh "$database" | tail -n 1)"
# GRANTLEDGER_BENCH_CONNECTION_OPTIONS=";Max Auto Prepare=64" measures a connection-string lever on the app alone.
app_connection="$app_connection${GRANTLEDGER_BENCH_CONNECTION_OPTIONS:-}"
dotnet build src/GrantLedger.Benchmarks/GrantLedger.Benchmarks.csproj -c Release -nologo -v quiet
dotnet build src/GrantLedger.Api/GrantLedger.Api.csproj -c Release -nologo -v quiet
source scripts/app.sh

# A fresh schema and the app started on it as the runtime role (stopped when the script exits): sets $schema, $app_url, $app.
fresh_app() {
  schema="$1"
  port="${GRANTLEDGER_BENCH_PORT:-5099}"
  fresh_schema "$connection" "$schema"
  rm -f /tmp/grantledger-$schema-app.log
  trap 'stop_app' EXIT
  start_app "$app_connection" "$schema" "$port"
}

# The programme dashboard and the audit page over the demo's small ledger, then over a million events seeded into the
# app's own schema (its chainer chains them and signs a checkpoint), in one app (PagesBenchmark).
pages_section() {
  fresh_app bench_pages
  driver pages "$connection" "$schema" "$app_url" "$app" snowleopard
  stop_app
  [[ -n "${GRANTLEDGER_BENCH_KEEP:-}" ]] || driver drop-schema "$connection" "$schema"
}

# The garbage collector, chosen by these rows (GrantLedger.Api.csproj): for each setting a fresh app, 16 clients paying
# for 20 s (DisbursementBenchmark.Load), then the app's peak resident memory (VmHWM). Writes docs/benchmark-gc.md.
gc_section() {
  local settings=(
    "as configured: workstation GC, concurrent, gen0 budget at most 32 MiB|"
    "workstation GC, the default gen0 budget|DOTNET_GCGen0MaxBudget=0"
    "workstation GC, gen0 budget at most 16 MiB|DOTNET_GCGen0MaxBudget=0x1000000"
    "server GC with DATAS, the ASP.NET default|DOTNET_gcServer=1 DOTNET_GCGen0MaxBudget=0"
    "server GC without DATAS|DOTNET_gcServer=1 DOTNET_GCGen0MaxBudget=0 DOTNET_GCDynamicAdaptationMode=0"
    "server GC with DATAS and a 192 MiB heap limit|DOTNET_gcServer=1 DOTNET_GCGen0MaxBudget=0 DOTNET_GCHeapHardLimit=0xC000000"
  )
  local rows="" setting name env line peak
  for setting in "${settings[@]}"; do
    IFS='|' read -r name env <<< "$setting"
    read -r -a app_env <<< "$env"
    fresh_app bench_gc
    line="$(driver load "$app_url" snowleopard 16 20 "$app" gc | tail -n 1)"
    peak="$(( $(awk '/VmHWM/ {print $2}' "/proc/$app/status") / 1024 ))"
    stop_app
    echo "$name: $line peak_rss_mb=$peak" >&2
    rows="$rows
| $name | \`${env:-(none)}\` | $(grep -o 'gc_per_s=[^ ]*' <<<"$line" | cut -d= -f2) | $(grep -o 'gc_p99_ms=[^ ]*' <<<"$line" | cut -d= -f2) | $(grep -o 'gc_app_cpu_ms=[^ ]*' <<<"$line" | cut -d= -f2) | $peak |"
  done
  read -r -a app_env <<< "${GRANTLEDGER_APP_ENV:-}"
  {
    echo "Measured by \`scripts/bench.sh --section gc\` on $(date -u +%Y-%m-%d), $(nproc) cores: for each setting the app started fresh,"
    echo "16 clients recording payments for 20 s, then its peak resident memory (VmHWM). One run per row."
    echo
    echo "| Garbage collector | Environment | Payments/s | p99 ms | App CPU ms per payment | Peak RSS MB |"
    echo "|---|---|---:|---:|---:|---:|$rows"
  } > docs/benchmark-gc.md
  cat docs/benchmark-gc.md
}

if [[ "$section" == pages ]]; then
  pages_section
  exit 0
fi
if [[ "$section" == gc ]]; then
  gc_section
  exit 0
fi

if $quick; then
  fresh_app bench_quick
  # Marten seeds the long histories into the app's own schema as its owner; the raw INSERT and the SQL peer use
  # tables of their own.
  driver quick "$connection" "$schema" "$app_url" "$app" snowleopard
  exit 0
fi

output="$(driver history "$connection")"
echo "$output"

# The quick figures in the same run (HTTP at 1, 4 and 16 clients beside the raw INSERT, the grant read and the SQL
# peer; the long-history case; the app's peak memory), each name prefixed quick_.
fresh_app bench_quick
quick_output="$(driver quick "$connection" "$schema" "$app_url" "$app" snowleopard | tail -n 1 | sed -E 's/(^| )([a-z0-9_]+)=/\1quick_\2=/g')"
stop_app
echo "$quick_output"
output="$output
$quick_output"

# The app itself, as run.sh serves it (demo users, no request logging), in its own schema.
fresh_app bench_http
http_output="$(driver disbursements "$connection" "$app_url" "$app" snowleopard)"
echo "$http_output"
stop_app
output="$output
$http_output"

gc_section

pages_output="$(pages_section)"
echo "$pages_output"
output="$output
$pages_output"

# Where a disbursement's time goes (a profile, not a guess): the CPU the app and PostgreSQL spend per disbursement at
# 16 clients; a sampled profile of the app under that load (dotnet-trace); and the most that fewer commit waits
# could save (batching several commands into one transaction, ADR 0008): the same load with synchronous_commit off,
# so that no commit waits for the disk at all.
tools="$repo/.data/tools"
if [[ ! -x "$tools/dotnet-trace" ]]; then
  dotnet tool install --tool-path "$tools" dotnet-trace --version 10.0.750501 > /dev/null
fi
trace="$(mktemp -d)/disbursements.nettrace"
fresh_schema "$connection" "$schema"
start_app "$app_connection" "$schema" "$port"
profile_output=""
for c in 1 4 16; do
  profile_output="$profile_output
$(driver load "$app_url" snowleopard "$c" 12 "$app" "without$c")"
done
driver load "$app_url" snowleopard 16 24 "$app" traced > /dev/null &
load_pid=$!
sleep 10
"$tools/dotnet-trace" collect -p "$app" --profile dotnet-sampled-thread-time --duration 00:00:00:10 -o "$trace" > /dev/null
wait "$load_pid"
profile_output="$profile_output
$(driver profile-report "$trace")"
rm -rf "$(dirname "$trace")"
stop_app
fresh_schema "$connection" "$schema"
start_app "$app_connection;Options=-c synchronous_commit=off" "$schema" "$port"
for c in 1 4 16; do # the same sequence as above, so the app is as warm at 16 clients
  profile_output="$profile_output
$(driver load "$app_url" snowleopard "$c" 12 "$app" "nosync$c")"
done
stop_app
echo "$profile_output"
output="$output
$profile_output"

value() { grep -o "$1=[^ ]*" <<<"$output" | head -n1 | cut -d= -f2; }
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
cat > docs/benchmarks.md <<MD
# Benchmarks

Measured by \`scripts/bench.sh\` on $(date -u +%Y-%m-%d). Machine: $(nproc) cores ($cpu), $(free -g | awk '/Mem:/ {print $2}') GiB,
PostgreSQL $(psql --version | awk '{print $3}') on the same machine, .NET $(dotnet --version).
Every figure is from one run; ratios are against a baseline measured in the same run.

## Targets of issue 2-7/8

| Target | Reached in this run |
|---|---|
| Disbursement over HTTP at 16 clients ≥ 0.5x the authenticated grant read | $(value quick_ratio_read)x ($(value quick_c16_http_per_s) against $(value quick_c16_read_per_s) reads/s) |
| … and ≥ 0.25x the raw INSERT | $(value quick_ratio_raw)x |
| p99 < 25 ms at 16 clients | $(value quick_c16_http_p99_ms) ms |
| 1 client p50 ≤ 2 ms | $(value quick_c1_http_p50_ms) ms |
| History length free: 16 clients into grants holding 10,000 payments within 1.2x of grants holding 10 | $(value quick_long_history_ratio)x ($(value quick_long_history_per_s) against $(value quick_short_history_per_s) payments/s) |
| App peak RSS under the bench < 300 MB | $(value quick_rss_mb) MB (quick run); $(value app_peak_rss_mb) MB after the profiled runs below |
| As-of programme report over 1M events < 1.5 s | $(value cp_report_total_s) s from the report checkpoints ($(value report_total_s) s from every event, same PDF) |
| Programme dashboard over 1M events < 200 ms p50 | $(value large_dashboard_p50_ms) ms |
| Audit page over 1M events < 200 ms p50 | $(value large_audit_p50_ms) ms |
| Reconciliation over the 1M history (never measured before) | $(value reconcile_s) s, peak managed heap $(value reconcile_peak_heap_mb) MB |
| Projection rebuild ≥ 50,000 events/s | $(value rebuild_events_per_s) events/s (programme and grant snapshots); $(value rebuild_payments_events_per_s) events/s (the payments' documents, rebuilt on their own) |
| Against the conventional design (one SQL transaction per payment, no HTTP) at 16 clients | $(value quick_ratio_peer)x |

$(if [[ -f docs/benchmark-targets.md ]]; then cat docs/benchmark-targets.md; fi)

$(if [[ -f docs/benchmark-levers.md ]]; then echo "## Levers, one at a time"; echo; cat docs/benchmark-levers.md; fi) For a quick check of a change,
\`scripts/bench.sh --quick\` prints the HTTP figures, the conventional peer and the long-history case (16 clients into
grants holding 10,000 payments against grants holding 10: \`long_history_ratio\`) on one line in under two minutes.

## The garbage collector

The app runs workstation GC with a gen0 budget of at most 32 MiB (\`GrantLedger.Api.csproj\`), chosen by these rows:
the lowest peak memory at the same throughput. An operator of a larger machine can set the environment of another row.

$(cat docs/benchmark-gc.md)

## A million events: rebuilding the snapshots, and a report as of a past instant

$(value events) events in PostgreSQL: one programme, $(value grants) grants, each with its commitment, its award and 98 payments,
recorded in transactions of 100 grants with recorded times stepping through the 18-month window. Seeding them (events
only, through Marten) took $(value seed_s) s, $(value seed_events_per_s) events/s. The baseline for every stage is reading the same
event rows (sequence, stream, type, JSON) with plain Npgsql in the same run.

| Stage | Seconds | Events/s | Against the baseline |
|---|---:|---:|---:|
| Baseline: read every event row with plain Npgsql | $(value read_all_s) | $(value read_all_events_per_s) | 1.0x |
| **Rebuild from scratch** the programme and grant snapshots (Marten's projection daemon, \`RebuildProjectionAsync\`), checked afterwards: every grant, payment and commitment present | **$(value rebuild_s)** | **$(value rebuild_events_per_s)** | $(value rebuild_vs_read) |
| Rebuild from scratch the payments' documents (ADR 0018; one document per payment, $(value grants) x 98 of them), on their own | $(value rebuild_payments_s) | $(value rebuild_payments_events_per_s) | |

Target (7/8): at least 20,000 events/s.

The programme financial report as of $(value as_of), the middle of the window, through the app's own pipeline
(\`ReportBuilder\`: the events recorded up to that instant, folded by the domain's \`Evolve\`, rendered to PDF).

| Stage | Seconds | Against the baseline |
|---|---:|---:|
| Baseline: read the $(value as_of_events) event rows recorded up to the instant with plain Npgsql | $(value read_as_of_s) | 1.0x |
| Load the events through Marten (deserialised) | $(value load_s) | $(value load_vs_read) |
| Fold to ledger state, build the report model and its SHA-256 | $(value fold_and_model_s) | |
| Render the PDF ($(value pages) pages, $(value pdf_bytes) bytes) | $(value render_s) | $(value pages_per_s) pages/s |
| **Report in total** (load + fold + render) | **$(value report_total_s)** | $(value total_vs_read) |

The same report from the report checkpoints ([internals.md](internals.md#report-checkpoints)): a checkpoint of the fold
every $(value checkpoint_every) events, as the app's writer keeps them ($(value checkpoints) checkpoints written from scratch in
$(value checkpoints_write_s) s, $(value checkpoints_mb) MB stored); the report starts from the newest one at or before the instant (event
$(value cp_checkpoint_seq)) and folds the $(value cp_events_after) events after it. Checked in the run: the same figures' hash, position and PDF
bytes as the report from every event.

| Stage | Seconds | Against the baseline |
|---|---:|---:|
| Load the checkpoint, read and fold the events after it | $(value cp_state_s) | |
| Build the report model and its SHA-256 | $(value cp_model_s) | |
| Render the PDF | $(value cp_render_s) | |
| **Report in total, from the checkpoints** | **$(value cp_report_total_s)** | $(value cp_total_vs_read) ($(value cp_speedup) faster than from every event) |
| The same report as of $(value cp_end_as_of), after every event ($(value cp_end_events_after) after its checkpoint) | $(value cp_end_report_total_s) | |

Target (2-7/8): under 1.5 s.

The auditor's reconciliation (\`GET /api/admin/reconciliation\`: every programme and grant stream replayed and compared
with its stored snapshot, then the ledger's sums) over the same history, called in process after the rebuild, from a
collected heap; memory sampled every 20 ms.

| Seconds | Events/s | Against reading every event row | Allocated MB | Peak managed heap MB | Peak working-set growth MB |
|---:|---:|---:|---:|---:|---:|
| $(value reconcile_s) | $(value reconcile_events_per_s) | $(value reconcile_vs_read) | $(value reconcile_allocated_mb) | $(value reconcile_peak_heap_mb) | $(value reconcile_peak_ws_growth_mb) |

## Recording a disbursement over HTTP

\`POST /api/grants/{id}/disbursements\` end to end (bearer auth, validation, idempotency record, append, inline
snapshots, one transaction per command) against a baseline measured in the same run: a single-row INSERT of a
comparable row (a JSON document the size of the event, one transaction per row) through plain Npgsql. Each cell runs
$(value seconds_per_cell) s; each client pays 1.00 EUR round-robin into its own 10 grants (no version conflicts by
design). Two more floors, to see where the time goes: \`GET /health\` (the HTTP pipeline and the readiness check: three small queries on one connection) and
\`GET /api/grants/{id}\` (bearer auth and one snapshot load). Target (7/8): the command at 16 clients at least 50% of
the baseline, with p99 under 25 ms.

| Clients | Raw INSERT/s | p50 ms | p99 ms | Disbursements/s | p50 ms | p99 ms | Errors | Ratio | /health/s (p50 ms) | Grant reads/s (p50 ms) |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
$(for c in 1 4 16; do echo "| $c | $(value c${c}_raw_per_s) | $(value c${c}_raw_p50_ms) | $(value c${c}_raw_p99_ms) | $(value c${c}_http_per_s) | $(value c${c}_http_p50_ms) | $(value c${c}_http_p99_ms) | $(value c${c}_http_errors) | $(value c${c}_ratio) | $(value c${c}_health_per_s) ($(value c${c}_health_p50_ms)) | $(value c${c}_read_per_s) ($(value c${c}_read_p50_ms)) |"; done)

## The same payment without event sourcing

A peer in the same run: the disbursement written the way a team without event sourcing would, as one SQL
transaction through Npgsql (look up the idempotency key, lock the grant's row, check amount, window and what
remains, insert the payment, update the grant's totals; \`ConventionalPeer\` in the benchmarks). No HTTP, no
authentication, no audit metadata: the floor of the conventional design on this machine. The last column is the
event-sourced command over HTTP (table above) against it.

| Clients | Peer payments/s | p50 ms | p99 ms | Errors | Event-sourced over HTTP vs. peer |
|---:|---:|---:|---:|---:|---:|
$(for c in 1 4 16; do echo "| $c | $(value c${c}_peer_per_s) | $(value c${c}_peer_p50_ms) | $(value c${c}_peer_p99_ms) | $(value c${c}_peer_errors) | $(value c${c}_vs_peer) |"; done)

## Pages over a million events

The two pages that read the whole ledger, timed as a browser asks for them (signed in with the sign-in cookie as the
demo auditor, one view at a time, $(value pages_views) views each after two to warm up), in one app: first over the demo's
ledger ($(value pages_small_events) events), then after the history section's million events (one programme, 10,000 grants
x 98 payments) were seeded into the app's own schema ($(value pages_large_events) events in all; seeding with the inline
snapshots took $(value pages_seed_s) s, and the app's chainer then took $(value pages_chain_catch_up_s) s to link them into the
audit chain and sign a checkpoint of its head). Target (7/8): both pages under 200 ms p50 over the million events.

| Page | Small ledger p50 ms | p99 ms | Million events p50 ms | p99 ms |
|---|---:|---:|---:|---:|
| \`GET /health\` (the floor) | $(value small_health_p50_ms) | $(value small_health_p99_ms) | $(value large_health_p50_ms) | $(value large_health_p99_ms) |
| **Programme dashboard** \`GET /programmes/{id}\` (the benchmark programme: 10,000 grants) | $(value small_dashboard_p50_ms) | $(value small_dashboard_p99_ms) | **$(value large_dashboard_p50_ms)** | $(value large_dashboard_p99_ms) |
| Programme dashboard of the demo's programme, beside the million events | | | $(value large_demo_dashboard_p50_ms) | $(value large_demo_dashboard_p99_ms) |
| **Audit page** \`GET /audit\` (first page of the trail, the chain checked since the newest signed checkpoint) | $(value small_audit_p50_ms) | $(value small_audit_p99_ms) | **$(value large_audit_p50_ms)** | $(value large_audit_p99_ms) |
| Audit page, last page of the trail | | | $(value large_audit_last_p50_ms) | $(value large_audit_last_p99_ms) |
| Audit page, one month of the trail (\`?from=2020-06-01&to=2020-07-01\`) | | | $(value large_audit_month_p50_ms) | $(value large_audit_month_p99_ms) |

Recomputing the whole chain on demand (the audit page's button, \`GET /api/audit/verification\`) over the million
events took $(value large_verify_full_s) s (valid: $(value large_verify_valid)). The app's peak resident memory after this
section: $(value pages_app_peak_rss_mb) MB.

## Where a disbursement's time goes

At 16 clients the machine's $(nproc) cores are saturated, so throughput is CPU per disbursement. Measured from /proc
over 12 s of load (the app process, and every PostgreSQL process), in the same run; each app was started fresh and
loaded at 1, 4 and 16 clients in that order, so it is equally warm in every row:

| Run | Disbursements/s | p50 ms | p99 ms | App CPU ms per disbursement | PostgreSQL CPU ms per disbursement |
|---|---:|---:|---:|---:|---:|
| As configured (synchronous commit, one transaction per disbursement) | $(value without16_per_s) | $(value without16_p50_ms) | $(value without16_p99_ms) | $(value without16_app_cpu_ms) | $(value without16_pg_cpu_ms) |
| No commit waits for the disk (\`synchronous_commit=off\`): the ceiling of what fewer commits could save | $(value nosync16_per_s) | $(value nosync16_p50_ms) | $(value nosync16_p99_ms) | $(value nosync16_app_cpu_ms) | $(value nosync16_pg_cpu_ms) |

The same runs by number of clients (app as configured, each cell 12 s); the ratio is against the raw INSERT at the
same concurrency in the table above:

| Clients | Disbursements/s | p50 ms | p99 ms | Ratio |
|---:|---:|---:|---:|---:|
$(for c in 1 4 16; do echo "| $c | $(value without${c}_per_s) | $(value without${c}_p50_ms) | $(value without${c}_p99_ms) | $(awk -v a="$(value without${c}_per_s)" -v b="$(value c${c}_raw_per_s)" 'BEGIN { if (b > 0) printf "%.2fx", a / b }') |"; done)

For scale, the raw INSERT baseline above costs about $(awk -v n="$(value c16_raw_per_s)" -v c="$(nproc)" 'BEGIN { if (n > 0) printf "%.2f", c * 1000 / n; else print "?" }') ms of CPU in all per row (cores / rows per second).

Sampled profile of the app under the same load (dotnet-trace, \`dotnet-sampled-thread-time\`, 10 s;
\`GrantLedger.Benchmarks profile-report\`): of $(value profile_managed_samples) samples of threads running managed code, the share
charged to the first frame outside the base class library, by library:

| Library | Share of managed samples |
|---|---:|
$(grep -o 'profile_self library=[^ ]* share_pct=[^ ]*' <<<"$output" | head -n 12 | sed -E 's/profile_self library=([^ ]*) share_pct=(.*)/| \1 | \2% |/; s/~/ /g')

Inclusive shares of a few frames (a sample counts for each of these frames on its stack):

| Frame | Share of managed samples |
|---|---:|
$(grep -o 'profile_inclusive what=[^ ]* share_pct=[^ ]*' <<<"$output" | sed -E 's/profile_inclusive what=([^ ]*) share_pct=(.*)/| \1 | \2% |/; s/~/ /g')

Reading these figures: a disbursement costs the app about as much CPU as PostgreSQL, and together roughly twenty
times the raw INSERT. Turning off every commit's wait for the disk changes nothing measurable, so committing several
disbursements in one transaction (group commit) could only buy back the transaction round trips, and the profile
puts the time in sending and receiving (sockets: the HTTP request and the database round trips), JSON (request, response, the event and the grant snapshot written back whole), and Npgsql/Marten, not in waiting for
commits. Group commit was built, measured no faster (the last figures are kept in ADR 0008) and removed; why, and
what would move the figure instead, is in [ADR 0008](adr/0008-group-commit-off.md).

Peak resident memory of the app (VmHWM) after the run: $(value app_peak_rss_mb) MB. The load driver and PostgreSQL
share the machine's $(nproc) cores with the app.
MD
echo "bench.sh: wrote docs/benchmarks.md"
