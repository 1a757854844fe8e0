#!/usr/bin/env bash
# Wolverine's generated handler and endpoint code, which Production loads instead of compiling it at start
# (TypeLoadMode.Static; Development and tests generate it at start). It lives in src/GrantLedger.Api/Internal/Generated.
#   scripts/codegen.sh          regenerate it (after adding or changing a handler, an endpoint or Wolverine's policies)
#   scripts/codegen.sh --check  fail, saying what to run, when the checked-in code is not what the code generates now
# No database is needed: the code is generated from the application's configuration, not from its data.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
check=false; [[ "${1:-}" == "--check" ]] && check=true
generated=src/GrantLedger.Api/Internal/Generated

codegen() {
  # Development: generation is dynamic there, so the command sees every handler; no host starts, nothing connects.
  ASPNETCORE_ENVIRONMENT=Development GrantLedger__Demo__Seed=false \
    ConnectionStrings__GrantLedger="Host=127.0.0.1;Port=1;Database=codegen;Username=codegen;Password=codegen" \
    dotnet run --project src/GrantLedger.Api/GrantLedger.Api.csproj -c Release --no-build --no-launch-profile -- codegen "$@" > /dev/null
}

build() { dotnet build src/GrantLedger.Api/GrantLedger.Api.csproj -c Release -nologo -v quiet > /dev/null; }

if ! $check; then
  # The checked-in code is compiled into the app: after a handler's signature changed it may not even compile, so it
  # goes first, then the app is built without it and writes it anew.
  rm -rf "$generated"
  build
  codegen write
  echo "codegen.sh: wrote $(find "$generated" -name '*.cs' | wc -l) files under $generated"
  exit 0
fi

if [[ "${GRANTLEDGER_CODEGEN_BUILD:-true}" == true ]] && ! build; then
  echo "codegen.sh: the app does not build; if the errors are under $generated, that code is stale: run scripts/codegen.sh"
  exit 1
fi

saved="$(mktemp -d)"
trap 'rm -rf "$saved"' EXIT
cp -r "$generated" "$saved/checked-in"
codegen delete
codegen write
if diff -r -q "$saved/checked-in" "$generated" > "$saved/diff"; then
  echo "codegen.sh: the generated code Production loads is up to date"
  exit 0
fi
# Put the checked-in code back: the check reports, it does not fix.
rm -rf "$generated"; cp -r "$saved/checked-in" "$generated"
sed 's/^/  /' "$saved/diff" | head -n 20
echo "codegen.sh: the generated code under $generated is stale (Production would not find the handlers above)."
echo "codegen.sh: run scripts/codegen.sh and commit $generated"
exit 1
