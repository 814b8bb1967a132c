#!/usr/bin/env bash
# `npm run chaos`: the fleet under steady Telegram traffic while a seeded loop SIGKILLs a random
# process every few seconds (docs/chaos.md). Installs what is missing (the same idempotent set-up
# as the tests), builds, then runs; extra arguments go to the run, e.g.
# `npm run chaos -- --updates 5000 --rate 50 --every 5 --seed 7 --report chaos.json`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PATH"
echo "chaos: build (tsc -b)"
npm run --silent build
exec node bench/dist/chaos/main.js "$@"
