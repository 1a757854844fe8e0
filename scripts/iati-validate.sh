#!/usr/bin/env bash
# Validates the IATI activity file of a programme against the official IATI 2.03 XSDs (iati-activities-schema.xsd,
# iati-common.xsd and xml.xsd from IATI/IATI-Schemas, branch version-2.03). They are kept beside the repository in
# ../shared/iati-2.03 (the test suite validates against the same files on every run); another folder can be given.
#
#   scripts/iati-validate.sh [xsd-dir] [file.xml]      default xsd-dir: ../shared/iati-2.03
#
# Without a file it downloads the demo programme's file (SOS-CA-1, as of now) from the running app (scripts/run.sh;
# GRANTLEDGER_URL, default http://127.0.0.1:5080) as the demo finance user, then validates it with System.Xml.Schema.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
xsd="${1:-$repo/../shared/iati-2.03}"
[[ -f "$xsd/iati-activities-schema.xsd" ]] || { echo "iati-validate.sh: no iati-activities-schema.xsd in $xsd (usage: scripts/iati-validate.sh [xsd-dir] [file.xml])" >&2; exit 2; }
file="${2:-}"

if [[ -z "$file" ]]; then
  url="${GRANTLEDGER_URL:-http://127.0.0.1:5080}"
  password="${GRANTLEDGER_DEMO_PASSWORD:-snowleopard}"
  token="$(curl -sf -X POST "$url/api/auth/token" -H 'Content-Type: application/json' \
    -d "{\"email\":\"finance@ecaro.example\",\"password\":\"$password\"}" | sed -E 's/.*"accessToken":"([^"]+)".*/\1/')"
  programme="$(curl -sf "$url/api/programmes" -H "Authorization: Bearer $token" \
    | python3 -c 'import json,sys; print(next(p["id"] for p in json.load(sys.stdin) if p["code"]=="SOS-CA-1"))')"
  file="$(mktemp --suffix=.xml)"
  curl -sf -o "$file" "$url/api/exports/iati.xml?programmeId=$programme" -H "Authorization: Bearer $token"
  echo "downloaded $url/api/exports/iati.xml?programmeId=$programme to $file"
fi

exec dotnet run "$repo/scripts/iati-validate.cs" -- "$xsd" "$file"
