#!/usr/bin/env bash
# Benchmarks (not part of scripts/test.sh). Prints the figures and writes docs/benchmarks.md with the machine's facts.
#   scripts/bench.sh
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
connection="$(scripts/postgres.sh grantledger_bench | tail -n 1)"
dotnet build src/GrantLedger.Benchmarks/GrantLedger.Benchmarks.csproj -c Release -nologo -v quiet
output="$(dotnet run --project src/GrantLedger.Benchmarks/GrantLedger.Benchmarks.csproj -c Release --no-build -- "$connection")"
echo "$output"

value() { grep -o "$1=[^ ]*" <<<"$output" | head -n1 | cut -d= -f2; }
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
cat > docs/benchmarks.md <<MD
# Benchmarks

Measured by \`scripts/bench.sh\` on $(date -u +%Y-%m-%d). Machine: $(nproc) cores ($cpu), $(free -g | awk '/Mem:/ {print $2}') GiB,
PostgreSQL $(psql --version | awk '{print $3}') on the same machine, .NET $(dotnet --version).
Every figure is from one run; ratios are against a baseline measured in the same run.

## Programme financial report over 1,000 grants

$(value events) events in PostgreSQL (1 programme, 1,000 grants, 97 payments each), report built as of now.

| Stage | Seconds | Against the baseline |
|---|---:|---:|
| Baseline: read every event row with plain Npgsql | $(value baseline_read_s) | 1.0x |
| Load the events through Marten (deserialised) | $(value load_s) | $(value load_vs_baseline) |
| Fold to ledger state, build the report model and its SHA-256 | $(value fold_and_model_s) | |
| Render the PDF ($(value pages) pages, $(value pdf_bytes) bytes) | $(value render_s) | $(value pages_per_s) pages/s |
| **Report in total** (load + fold + render) | **$(value report_total_s)** | $(value total_vs_baseline) |

Seeding the events took $(value seed_s) s (50 grants per transaction).
MD
echo "bench.sh: wrote docs/benchmarks.md"
