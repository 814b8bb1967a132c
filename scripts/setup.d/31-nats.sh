#!/usr/bin/env bash
# nats-server with a JetStream new enough for the services (Debian's 2.9 is not), pinned here.
set -euo pipefail
version=v2.15.2
bin_dir="$NOVA_CACHE_DIR/bin"
if "$bin_dir/nats-server" --version 2>/dev/null | grep -q "${version#v}"; then
  echo "  nats-server $version: built"
else
  echo "  nats-server $version: go install (~20 s)"
  GOBIN="$bin_dir" go install "github.com/nats-io/nats-server/v2@$version"
fi
