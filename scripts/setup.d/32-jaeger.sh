#!/usr/bin/env bash
# Jaeger v2 from tools/jaeger, a wrapper module: Jaeger's own go.mod has a `replace` that
# `go install pkg@version` refuses, so the wrapper requires it and repeats that line.
set -euo pipefail
cd "$(dirname "$0")/../.."
version=$(sed -n 's/^require github\.com\/jaegertracing\/jaeger \(v[0-9.]\+\)$/\1/p' tools/jaeger/go.mod)
[ -n "$version" ] || { echo "tools/jaeger/go.mod pins no jaeger version" >&2; exit 1; }
target="$NOVA_CACHE_DIR/bin/jaeger-$version"
if [ -x "$target" ]; then
  echo "  jaeger $version: built"
else
  echo "  jaeger $version: building from the Go module proxy (~4 min, once)"
  (cd tools/jaeger && go build -trimpath -ldflags "-s -w" -o "$target.tmp" github.com/jaegertracing/jaeger/cmd/jaeger)
  mv "$target.tmp" "$target"
fi
