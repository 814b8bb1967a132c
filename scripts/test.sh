#!/usr/bin/env bash
# The one test command: set up what is missing, type-check and build, lint, then run every
# test (unit and against the real components the test bed starts). Extra arguments go to jest.
set -euo pipefail
cd "$(dirname "$0")/.."
# The one-node Kubernetes cluster (test/cluster, issue 23) runs for root, which it needs (network
# and PID namespaces, a veth pair, cgroups, iptables rules); the set-up builds its binaries then.
# NOVA_NODE_TESTS=0 leaves it out; as another user it is left out, said here.
if [ -z "${NOVA_NODE_TESTS:-}" ]; then
  if [ "$(id -u)" -eq 0 ]; then
    export NOVA_NODE_TESTS=1
  else
    export NOVA_NODE_TESTS=0
    echo "test: not root (uid $(id -u)): test/cluster is skipped, and the node's binaries are not built"
  fi
fi
# The node's binaries (scripts/setup.d/33-node.sh: four to five minutes of Go builds on a fresh
# machine) serve test/cluster alone, which runs last: with no arguments, they build in the background
# beside the TypeScript build, the type-check, eslint and the first jest run, and the cluster tier waits
# for them. With arguments (any test, test/cluster's too, may be named) the set-up builds them first.
export NOVA_CACHE_DIR="${NOVA_CACHE_DIR:-$HOME/.cache/nova}"
node_build_pid=
checks=
# Whatever ends this script (a failed step, Ctrl-C) stops the background build too: it runs in a
# process group of its own (setsid), so its `go build` children go with it.
stop_node_build() {
  if [ -n "$node_build_pid" ]; then kill -- "-$node_build_pid" 2>/dev/null || true; wait "$node_build_pid" 2>/dev/null || true; node_build_pid=; fi
}
trap 'stop_node_build; [ -z "$checks" ] || rm -rf "$checks"' EXIT
if [ "$NOVA_NODE_TESTS" = 1 ] && [ $# -eq 0 ]; then
  NOVA_NODE_BUILD=later bash scripts/setup.sh
  node_build_log="$NOVA_CACHE_DIR/node-build.log"
  NOVA_NODE_BUILD=now NOVA_NODE_NICE=0 setsid -w bash scripts/setup.d/33-node.sh > "$node_build_log" 2>&1 & node_build_pid=$!
  echo "test: set-up done at ${SECONDS} s; the node's binaries build in the background"
else
  bash scripts/setup.sh
  echo "test: set-up done at ${SECONDS} s"
fi
export PATH="$PWD/node_modules/.bin:$PATH"
echo "test: build (tsc -b)"
npm run --silent build
# The build covers what ships; the tests, benchmarks and scripts are type-checked here (jest's swc
# transform strips types without checking them). The type-check and eslint (type-aware, its own
# TypeScript program) need nothing from each other, so they run side by side: on two cores that
# saves a minute or two of the set-up. Each one's output is printed whole, after it ends.
echo "test: type-check tests (tsc --noEmit) and lint, side by side"
checks=$(mktemp -d)
tsc --noEmit -p tsconfig.json > "$checks/types" 2>&1 & types=$!
npm run --silent lint > "$checks/lint" 2>&1 & lint=$!
failed=0
wait "$types" || { echo "test: the type-check failed:"; failed=1; }
cat "$checks/types"
wait "$lint" || { echo "test: lint failed:"; failed=1; }
cat "$checks/lint"
[ "$failed" = 0 ] || exit 1
rm -rf "$checks"; checks=
echo "test: jest (build, type-check and lint done at ${SECONDS} s)"
# What the node needs of this machine beyond root: network, mount and PID namespaces, a veth pair
# and iptables inside a namespace, a cgroup of its own (cgroup v1's memory hierarchy, or v2's root).
# A machine that refuses one of them cannot run test/cluster: said here, and the tier is left out.
node_capable() {
  unshare --net --mount --pid --fork --mount-proc true || return 1
  unshare --net sh -c 'ip link add nova-probe0 type veth peer name nova-probe1 && iptables -t nat -S >/dev/null' || return 1
  local cgroup=/sys/fs/cgroup/memory
  [ -d "$cgroup" ] || cgroup=/sys/fs/cgroup
  mkdir "$cgroup/nova-probe-$$" && rmdir "$cgroup/nova-probe-$$"
}
if [ "$NOVA_NODE_TESTS" = 1 ] && ! node_capable > /dev/null 2>&1; then
  echo "test: this machine refuses what the one-node cluster needs (namespaces, a veth pair, iptables or a cgroup; run as root, uid $(id -u)): test/cluster is skipped"
  export NOVA_NODE_TESTS=0
  stop_node_build
fi
jest=(node --experimental-vm-modules --disable-warning=ExperimentalWarning node_modules/jest/bin/jest.js)
if [ $# -gt 0 ] || [ "$NOVA_NODE_TESTS" != 1 ]; then
  exec "${jest[@]}" "$@"
fi
# Every test: two jest runs. First everything but test/cluster, on two workers; then test/cluster,
# one file at a time: its files run the images test/ship/images.test.ts builds in the first run
# (jest has no order between files of one run), and each starts a whole node of its own. Both run
# even if the first fails, so one CI run reports every failure; the exit status is the worse.
status=0
"${jest[@]}" --testPathIgnorePatterns /node_modules/ /dist/ '<rootDir>/test/cluster/' || status=$?
echo "test: jest, test/cluster (the rest done at ${SECONDS} s)"
node_built=1
if [ -n "$node_build_pid" ]; then
  echo "test: the node's binaries, built in the background:"
  wait "$node_build_pid" || node_built=0
  node_build_pid=
  cat "$node_build_log"
  if [ "$node_built" = 1 ]; then echo "test: the node's binaries ready at ${SECONDS} s"; else echo "test: building the node's binaries failed: test/cluster cannot run"; status=1; fi
fi
# Its files start their own NATS, PostgreSQL and Prometheus where the node's pods reach them; of
# the shared test bed they need nothing, so it starts NATS alone (the smallest set it takes).
if [ "$node_built" = 1 ]; then
  NOVA_TESTBED_COMPONENTS=nats "${jest[@]}" --runInBand test/cluster || status=$?
fi
echo "test: done at ${SECONDS} s"
exit "$status"
