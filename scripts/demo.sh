#!/usr/bin/env bash
# The main job: rehearse a migration of the whole fleet on one machine. Installs what is missing
# (the same idempotent set-up as the tests), builds, then runs the demo (packages/demo); extra
# arguments go to it, e.g. `npm run demo -- --fail` or `npm run demo -- --stage 2 --rate 20`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PATH"
echo "demo: build (tsc -b)"
npm run --silent build
exec node packages/demo/dist/main.js "$@"
