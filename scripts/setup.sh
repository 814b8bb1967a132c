#!/usr/bin/env bash
# Idempotent set-up of a fresh machine of this kind: Debian packages, npm packages (Node 24
# included), the Go-built test infrastructure and generated code. Every step checks before it
# works, so a second run takes seconds. Steps live in scripts/setup.d/, run in name order.
set -euo pipefail
cd "$(dirname "$0")/.."
export NOVA_CACHE_DIR="${NOVA_CACHE_DIR:-$HOME/.cache/nova}"
mkdir -p "$NOVA_CACHE_DIR/bin"
# Each step's time is printed after it, so a slow set-up says where its minutes went.
for step in scripts/setup.d/*.sh; do
  echo "setup: $(basename "$step" .sh)"
  started=$SECONDS
  bash "$step"
  echo "setup: $(basename "$step" .sh) done in $((SECONDS - started)) s"
done
