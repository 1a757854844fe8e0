#!/usr/bin/env bash
# Everything CI checks: starts its own PostgreSQL database, builds with warnings as errors, runs every test project,
# then the short reliability run (scripts/chaos.sh --short, counted as one check).
# Ends with one line of totals: "N passed, N failed, N skipped".
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

# The browser tests drive Debian's Chromium (Playwright cannot download browsers here).
if ! command -v chromium >/dev/null 2>&1; then
  echo "test.sh: installing chromium for the browser tests" >&2
  sudo_cmd=""; [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >&2 \
    || echo "test.sh: could not install chromium; the browser tests will fail" >&2
fi

# The tests connect as the runtime role, as the app does in production; they apply each schema as its owner first.
# The OpenAPI lint test installs Redocly with npm under .data/tools (the machine image ships Node.js 20 and npm).
if ! command -v npm >/dev/null 2>&1; then
  echo "test.sh: installing nodejs and npm for the OpenAPI lint test" >&2
  sudo_cmd=""; [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq nodejs npm >&2 \
    || echo "test.sh: could not install npm; the OpenAPI lint test will fail" >&2
fi

connection="$(scripts/postgres.sh grantledger_test | tail -n 1)" || { echo "test.sh: PostgreSQL did not start" >&2; exit 1; }
export ConnectionStrings__GrantLedger="$connection"
export GRANTLEDGER_OWNER_CONNECTION="$(scripts/postgres.sh --owner grantledger_test 2>/dev/null | tail -n 1)"
export ASPNETCORE_ENVIRONMENT=Testing

if ! dotnet build GrantLedger.sln -c Release -nologo -v quiet; then
  echo "test.sh: build failed (errors under src/GrantLedger.Api/Internal/Generated mean stale generated code: run scripts/codegen.sh)"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi

passed=0; failed=0; skipped=0; status=0
# The generated code Production loads (TypeLoadMode.Static) must match the handlers and endpoints; it counts as one check.
if GRANTLEDGER_CODEGEN_BUILD=false scripts/codegen.sh --check; then
  passed=$((passed + 1))
else
  echo "test.sh: stale generated code: run scripts/codegen.sh and commit src/GrantLedger.Api/Internal/Generated"
  failed=$((failed + 1)); status=1
fi

results="$(mktemp -d)"
for project in tests/*/*.csproj; do
  name="$(basename "$project" .csproj)"
  log="$results/$name.log"
  dotnet test "$project" -c Release --no-build -nologo 2>&1 | tee "$log"
  code=${PIPESTATUS[0]}
  summary="$(grep -E '(Passed|Failed)!  - Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+' "$log" | tail -n 1)"
  if [[ -z "$summary" ]]; then
    echo "test.sh: $name produced no test summary (exit code $code)"
    failed=$((failed + 1)); status=1; continue
  fi
  f=$(sed -E 's/.*Failed: +([0-9]+).*/\1/' <<<"$summary")
  p=$(sed -E 's/.*Passed: +([0-9]+).*/\1/' <<<"$summary")
  s=$(sed -E 's/.*Skipped: +([0-9]+).*/\1/' <<<"$summary")
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  if [[ $code -ne 0 || $f -ne 0 ]]; then status=1; fi
done
rm -rf "$results"

# The short reliability run (scripts/chaos.sh --short) against the app as a process; it counts as one check.
if GRANTLEDGER_CHAOS_BUILD=false scripts/chaos.sh --short; then
  passed=$((passed + 1))
else
  failed=$((failed + 1)); status=1
fi

echo "$passed passed, $failed failed, $skipped skipped"
exit $status
