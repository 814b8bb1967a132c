#!/usr/bin/env bash
# Debian's buildah, podman and runc: the images test (test/ship/images.test.ts) builds every
# deployable's image with buildah and runs it with podman. runc, not podman's default crun: crun
# fails on this machine's hybrid cgroups (DEVELOPERS.md, "Container images here").
set -euo pipefail
needed=()
command -v buildah >/dev/null || needed+=(buildah)
command -v podman >/dev/null || needed+=(podman)
command -v runc >/dev/null || needed+=(runc)
if [ ${#needed[@]} -gt 0 ]; then
  echo "  apt-get install ${needed[*]}"
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
else
  echo "  buildah, podman, runc: installed"
fi
