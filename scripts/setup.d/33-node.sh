#!/usr/bin/env bash
# The test bed's node component (packages/testbed/src/node/): kubelet, kube-controller-manager,
# kube-scheduler and kube-proxy from tools/kube-node (the same release and replaces as
# tools/kube-apiserver), containerd 2.x with ctr and its runc shim (Debian's 1.6 is too old for
# kubelet 1.37's CRI), CoreDNS from tools/coredns, and a static pause program for the sandbox
# image. Each file is named after its pin, so a new pin builds a new file; a cached one is kept.
# Built when NOVA_NODE_TESTS=1, which scripts/test.sh sets for root (test/cluster runs then; it builds
# them in the background, NOVA_NODE_BUILD below) and `npm run demo -- --cluster` too. Cold, after kube-apiserver's build (whose packages they share),
# they took 3.8 min on a quiet brand-new machine of this kind (docs/testing.md has the figures).
set -euo pipefail
cd "$(dirname "$0")/../.."
bin_dir="$NOVA_CACHE_DIR/bin"
if [ "${NOVA_NODE_TESTS:-}" != 1 ]; then
  echo "  node binaries: not built (NOVA_NODE_TESTS is not 1: test/cluster is off)"
  exit 0
fi

# Debian's packages the node needs, the way 10-debian.sh installs its own: the CNI plugins (bridge,
# host-local, loopback, portmap), iptables for kube-proxy, ip for the node's link, gcc and libc6-dev
# for the static pause program. runc comes from 15-containers.sh.
needed=()
[ -x /usr/lib/cni/bridge ] || needed+=(containernetworking-plugins)
command -v iptables-save >/dev/null || needed+=(iptables)
command -v ip >/dev/null || needed+=(iproute2)
command -v gcc >/dev/null || needed+=(gcc)
[ -f /usr/lib/x86_64-linux-gnu/libc.a ] || compgen -G "/usr/lib/*/libc.a" >/dev/null || needed+=(libc6-dev)
if [ ${#needed[@]} -gt 0 ]; then
  echo "  apt-get install ${needed[*]}"
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
fi

# scripts/test.sh builds the binaries in the background (NOVA_NODE_BUILD=later): only test/cluster needs
# them, and it runs last. The packages above stay here: the node's probe in test.sh needs ip and iptables.
if [ "${NOVA_NODE_BUILD:-}" = later ]; then
  echo "  node binaries: built in the background by scripts/test.sh, beside the build and the first jest run"
  exit 0
fi

pinned() { sed -n "s/^[[:space:]]*$1[[:space:]]\+\(v[0-9.]\+\)[[:space:]]*\$/\1/p" "$2"; }
version=$(pinned 'k8s\.io\/kubernetes' tools/kube-node/go.mod)
apiserver_version=$(pinned 'k8s\.io\/kubernetes' tools/kube-apiserver/go.mod)
[ -n "$version" ] || { echo "tools/kube-node/go.mod pins no k8s.io/kubernetes version" >&2; exit 1; }
[ "$version" = "$apiserver_version" ] || {
  echo "tools/kube-node pins kubernetes $version but tools/kube-apiserver $apiserver_version: one release for the whole cluster" >&2
  exit 1
}

# built NAME TARGET: says whether TARGET is there already.
built() {
  if [ -x "$2" ]; then echo "  $1: built"; return 0; fi
  return 1
}
# timed NAME COMMAND...: runs a build at low priority (the machine is shared) and says how long it took.
# NOVA_NODE_NICE=0 (test.sh's background build): at 10 it would get a twentieth of a machine whose two
# cores are both busy with the tests (and CI's neighbours), and test/cluster would wait for it.
timed() {
  local name=$1 started=$SECONDS
  shift
  echo "  $name: building"
  nice -n "${NOVA_NODE_NICE:-10}" "$@"
  echo "  $name: built in $((SECONDS - started)) s"
}

major=${version#v}; major=${major%%.*}
minor=${version#v$major.}; minor=${minor%%.*}
stamp=k8s.io/component-base/version
for name in kubelet kube-controller-manager kube-scheduler kube-proxy; do
  target="$bin_dir/$name-$version"
  built "$name $version" "$target" && continue
  (cd tools/kube-node && timed "$name $version" go build -trimpath -o "$target.tmp" \
    -ldflags "-s -w -X $stamp.gitVersion=$version -X $stamp.gitMajor=$major -X $stamp.gitMinor=$minor -X $stamp.gitTreeState=clean" \
    "./$name")
  mv "$target.tmp" "$target"
done

# containerd's own go.mod has no replace, so `go install pkg@version` builds it; its three
# programs share one folder, which the node component puts first on containerd's PATH (containerd
# finds its shim there). The tags leave out snapshotters that need libraries this machine lacks.
containerd_version=v2.4.2
containerd_dir="$bin_dir/containerd-$containerd_version"
if ! built "containerd $containerd_version" "$containerd_dir/containerd-shim-runc-v2"; then
  mkdir -p "$containerd_dir.tmp"
  timed "containerd $containerd_version" env GOBIN="$containerd_dir.tmp" go install -trimpath \
    -tags "no_btrfs no_devmapper no_zfs" \
    -ldflags "-s -w -X github.com/containerd/containerd/v2/version.Version=$containerd_version" \
    "github.com/containerd/containerd/v2/cmd/containerd@$containerd_version" \
    "github.com/containerd/containerd/v2/cmd/ctr@$containerd_version" \
    "github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2@$containerd_version"
  rm -rf "$containerd_dir"
  mv "$containerd_dir.tmp" "$containerd_dir"
fi

coredns_version=$(pinned 'require github\.com\/coredns\/coredns' tools/coredns/go.mod)
[ -n "$coredns_version" ] || { echo "tools/coredns/go.mod pins no coredns version" >&2; exit 1; }
target="$bin_dir/coredns-$coredns_version"
if ! built "coredns $coredns_version" "$target"; then
  (cd tools/coredns && timed "coredns $coredns_version" go build -trimpath -ldflags "-s -w" -o "$target.tmp" .)
  mv "$target.tmp" "$target"
fi

# The pause program is named after its source's hash: an edit builds a new one.
pause_hash=$(sha256sum tools/pause/pause.c | cut -c1-12)
target="$bin_dir/nova-pause-$pause_hash"
if ! built "pause $pause_hash" "$target"; then
  timed "pause $pause_hash" gcc -static -Os -s -o "$target.tmp" tools/pause/pause.c
  mv "$target.tmp" "$target"
fi
