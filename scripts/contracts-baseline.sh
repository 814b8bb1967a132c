#!/usr/bin/env bash
# Writes proto/baseline.binpb: proto/ as a buf image (descriptors only, no comments), the contracts
# as last changed on purpose. test/foundation/buf.test.ts compares proto/ with it in every checkout
# (a shallow CI clone without history too) and wants it to be proto/ as it is now, so a deliberate
# contract change (a new field, message or file) runs this and commits the file with the change.
#
# It refuses to write a baseline that proto/ breaks: a breaking change of nova.v1 is not made by
# moving the baseline, it needs a new package (nova.v2) beside the old one (DEVELOPERS.md, Contracts).
#
# Usage: scripts/contracts-baseline.sh [directory holding proto/, the repository by default]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
buf="$repo/node_modules/.bin/buf"
cd "${1:-$repo}"
baseline=proto/baseline.binpb

if [ -e "$baseline" ] && ! "$buf" breaking proto --against "$baseline"; then
  echo "contracts-baseline: proto/ breaks $baseline (above); not written" >&2
  exit 1
fi
"$buf" build proto --exclude-source-info -o "$baseline"
echo "contracts-baseline: wrote $baseline"
