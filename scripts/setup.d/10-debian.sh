#!/usr/bin/env bash
# Debian packages the test bed and the demo run: etcd (serves kube-apiserver), PostgreSQL,
# Prometheus, nginx.
set -euo pipefail
needed=()
command -v etcd >/dev/null || needed+=(etcd-server)
[ -x /usr/lib/postgresql/15/bin/initdb ] || needed+=(postgresql)
command -v prometheus >/dev/null || needed+=(prometheus)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || needed+=(nginx)
if [ ${#needed[@]} -gt 0 ]; then
  echo "  apt-get install ${needed[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
fi
# The packages start system services we do not use; the test bed runs its own instances.
for service in etcd prometheus nginx postgresql; do
  if command -v systemctl >/dev/null && systemctl is-active --quiet "$service" 2>/dev/null; then
    systemctl stop "$service" >/dev/null 2>&1 || true
  fi
done
