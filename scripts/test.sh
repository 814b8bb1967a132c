#!/usr/bin/env bash
# The one test command: set up what is missing, type-check and build, lint, then run every
# test (unit and against the real components the test bed starts). Extra arguments go to jest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "test: set-up done at ${SECONDS} s"
export PATH="$PWD/node_modules/.bin:$PATH"
echo "test: build (tsc -b)"
npm run --silent build
# The build covers what ships; the tests, benchmarks and scripts are type-checked here (jest's swc
# transform strips types without checking them). The type-check and eslint (type-aware, its own
# TypeScript program) need nothing from each other, so they run side by side: on two cores that
# saves a minute or two of the set-up. Each one's output is printed whole, after it ends.
echo "test: type-check tests (tsc --noEmit) and lint, side by side"
checks=$(mktemp -d)
trap 'rm -rf "$checks"' EXIT
tsc --noEmit -p tsconfig.json > "$checks/types" 2>&1 & types=$!
npm run --silent lint > "$checks/lint" 2>&1 & lint=$!
failed=0
wait "$types" || { echo "test: the type-check failed:"; failed=1; }
cat "$checks/types"
wait "$lint" || { echo "test: lint failed:"; failed=1; }
cat "$checks/lint"
[ "$failed" = 0 ] || exit 1
rm -rf "$checks"; trap - EXIT
echo "test: jest (build, type-check and lint done at ${SECONDS} s)"
exec node --experimental-vm-modules --disable-warning=ExperimentalWarning node_modules/jest/bin/jest.js "$@"
