#!/usr/bin/env bash
# Generated code, git-ignored, rebuilt only when an input is newer than the output:
#  - packages/contracts/src/gen from proto/ (buf + protoc-gen-es from node_modules, no network);
#  - a Prisma client for every schema.prisma under services/ and test/ (Prisma 7's Rust-free
#    `prisma-client` generator). The Prisma CLI insists on downloading a schema engine even for
#    `generate`, which needs none: PRISMA_SCHEMA_ENGINE_BINARY points it at a stub that refuses
#    to run, so generation works offline. Migrations never go through that engine here: see
#    packages/db and DEVELOPERS.md ("Prisma 7 offline").
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$PWD/node_modules/.bin:$PATH"
bin_dir="${NOVA_CACHE_DIR:-$HOME/.cache/nova}/bin"
mkdir -p "$bin_dir"

# newer_than <output> <input...>: true when the output exists and is newer than every input.
newer_than() {
  local output=$1 input
  shift
  [ -e "$output" ] || return 1
  for input in "$@"; do
    [ "$output" -nt "$input" ] || return 1
  done
}

contracts_fresh() {
  local out=packages/contracts/src/gen proto outputs=0
  local inputs=(proto/buf.yaml proto/buf.gen.yaml node_modules/@bufbuild/protoc-gen-es/package.json)
  [ -d "$out" ] || return 1
  while IFS= read -r proto; do
    newer_than "$out/${proto%.proto}_pb.ts" "proto/$proto" "${inputs[@]}" || return 1
    outputs=$((outputs + 1))
  done < <(cd proto && find . -name '*.proto' -printf '%P\n')
  # A deleted .proto leaves an orphan output behind.
  [ "$(find "$out" -name '*_pb.ts' | wc -l)" -eq "$outputs" ]
}

if contracts_fresh; then
  echo "  contracts: up to date"
else
  echo "  contracts: buf generate"
  buf generate proto --template proto/buf.gen.yaml
  # buf leaves files whose content did not change untouched; their age must say "generated now".
  find packages/contracts/src/gen -name '*_pb.ts' -exec touch {} +
fi

stub="$bin_dir/prisma-schema-engine-offline"
if [ ! -x "$stub" ]; then
  cat >"$stub" <<'EOF'
#!/bin/sh
echo "The Prisma schema engine is not installed (offline machine). Migrations are applied by @nova/db (DEVELOPERS.md, 'Prisma 7 offline')." >&2
exit 1
EOF
  chmod +x "$stub"
fi
# A developer who has a real engine keeps it.
export PRISMA_SCHEMA_ENGINE_BINARY="${PRISMA_SCHEMA_ENGINE_BINARY:-$stub}"
export PRISMA_HIDE_UPDATE_MESSAGE=1 CHECKPOINT_DISABLE=1

while IFS= read -r schema; do
  schema_dir=$(dirname "$schema")
  output=$(sed -n 's/^[[:space:]]*output[[:space:]]*=[[:space:]]*"\(.*\)".*/\1/p' "$schema" | head -n 1)
  if [ -n "$output" ] && newer_than "$schema_dir/$output/client.ts" "$schema" node_modules/prisma/package.json; then
    echo "  prisma: $schema up to date"
    continue
  fi
  echo "  prisma: generate $schema"
  # From the repository root, so no service's prisma.config.ts (which wants DATABASE_URL) is loaded.
  prisma generate --schema "$schema" >/dev/null
  # prisma rewrites only what changed; the marker must say "generated now".
  [ -z "$output" ] || touch "$schema_dir/$output/client.ts"
done < <(find services test -name schema.prisma -not -path '*/node_modules/*' 2>/dev/null | sort)

# TypeScript types of the NovaMigration CRD, generated from its schema (they cannot drift).
crd=crds/novabot.io_novamigrations.yaml
crd_types=operator/src/api/generated/novamigration.ts
if newer_than "$crd_types" "$crd" scripts/codegen/crd-types.mjs; then
  echo "  crd types: up to date"
else
  echo "  crd types: generate from $crd"
  node scripts/codegen/crd-types.mjs "$crd" "$crd_types"
fi
