#!/usr/bin/env bash
# Regenerates docs/screenshots/*.png: the main pages of each role, taken by the browser tests in headless Chromium.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium; }
export ConnectionStrings__GrantLedger="$(scripts/postgres.sh grantledger_test | tail -n 1)"
export GRANTLEDGER_SCREENSHOTS="$repo/docs/screenshots"
dotnet build GrantLedger.sln -c Release -nologo -v quiet
dotnet test tests/GrantLedger.Ui.Tests -c Release --no-build --filter "FullyQualifiedName~ScreenshotTests"
ls -1 docs/screenshots
