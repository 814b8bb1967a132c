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
# transform strips types without checking them).
echo "test: type-check tests (tsc --noEmit)"
tsc --noEmit -p tsconfig.json
echo "test: lint"
npm run --silent lint
echo "test: jest (build, type-check and lint done at ${SECONDS} s)"
exec node --experimental-vm-modules --disable-warning=ExperimentalWarning node_modules/jest/bin/jest.js "$@"
