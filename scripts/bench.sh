#!/usr/bin/env bash
# Runs every benchmark (they print ratios against baselines measured in the same run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PATH"
npm run --silent build
node bench/dist/operator.js "$@"
