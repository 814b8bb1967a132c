#!/usr/bin/env bash
# The main job: rehearse a migration of the whole fleet on one machine. Installs what is missing
# (the same idempotent set-up as the tests), builds, then runs the demo (packages/demo); extra
# arguments go to it, e.g. `npm run demo -- --fail` or `npm run demo -- --stage 2 --rate 20`.
# `--cluster` (stage 2 on a one-node Kubernetes cluster) says what it needs before the set-up,
# refuses without root, and has the set-up build the node's binaries (NOVA_NODE_TESTS=1).
set -euo pipefail
cd "$(dirname "$0")/.."
node_binaries=()
for arg in "$@"; do
  if [ "$arg" = --cluster ]; then
    cat <<'NEEDS'
demo --cluster needs root and the node's binaries (kubelet, kube-controller-manager, kube-scheduler,
kube-proxy, containerd, CoreDNS): the set-up below builds them on a first run, about 4 min cold on a
quiet machine of this kind (far longer on a busy one), cached under ${NOVA_CACHE_DIR:-~/.cache/nova}/bin after that; then the project's images
(built if missing: minutes) and, warm, a few minutes for the node, helm install and stage 2.
NEEDS
    if [ "$(id -u)" -ne 0 ]; then
      echo "--cluster needs root (this runs as uid $(id -u)): the node makes namespaces, a veth pair, cgroups and iptables rules. Run it as root, e.g. sudo npm run demo -- --cluster; nothing was started." >&2
      exit 2
    fi
    node_binaries=(env NOVA_NODE_TESTS=1)
  fi
done
"${node_binaries[@]}" bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PATH"
echo "demo: build (tsc -b)"
npm run --silent build
exec node packages/demo/dist/main.js "$@"
