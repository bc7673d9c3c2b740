#!/usr/bin/env bash
# Installs what stands in for the database images when the end-to-end tests
# run pods as real processes (see kubelet.go): Debian's PostgreSQL, Redis,
# ZooKeeper (with a JRE) and the tools the harness uses (iproute2, nsenter,
# netcat), and etcd v3.6 built from its Go modules (Debian's etcd 3.4 has no
# /livez or /readyz, which the etcd preset's probes ask for). Idempotent: a
# second run installs nothing.
#
# Prints the directory holding etcd and etcdctl on stdout; progress on stderr.
set -euo pipefail

ETCD_VERSION=v3.6.7
CACHE=${HEADLESS_E2E_CACHE_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/headless-e2e}/etcd-$ETCD_VERSION
BIN=$CACHE/bin

log() { printf 'e2e: %s\n' "$*" >&2; }

# Debian packages, by the command each provides.
declare -A packages=(
  [/usr/lib/postgresql/15/bin/postgres]=postgresql-15
  [/usr/lib/postgresql/15/bin/psql]=postgresql-client-15
  [/usr/bin/redis-server]=redis-server
  [/usr/bin/redis-cli]=redis-tools
  [/usr/share/zookeeper/bin/zkServer.sh]=zookeeper
  [/usr/bin/java]=default-jre-headless
  [/usr/bin/nc]=netcat-openbsd
  [/usr/sbin/ip]=iproute2
  [/usr/bin/nsenter]=util-linux
  [/usr/bin/unshare]=util-linux
)
missing=()
for path in "${!packages[@]}"; do
  if [ ! -x "$path" ]; then missing+=("${packages[$path]}"); fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  log "installing Debian packages: ${missing[*]}"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq >&2
  # --no-install-recommends: no services the tests do not run.
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# etcd and etcdctl: their modules' go.mod files carry replace directives, so
# `go install module@version` refuses them; a throw-away module requires both
# and builds them. The checksum database knows every module involved.
if [ ! -x "$BIN/etcd" ] || [ ! -x "$BIN/etcdctl" ]; then
  src=$CACHE/src
  mkdir -p "$src" "$BIN"
  cat >"$src/go.mod" <<MOD
module headless-e2e-etcd

go 1.26
MOD
  cat >"$src/tools.go" <<'GO'
//go:build tools

package tools

import (
	_ "go.etcd.io/etcd/etcdctl/v3"
	_ "go.etcd.io/etcd/server/v3"
)
GO
  log "building etcd and etcdctl $ETCD_VERSION (about a minute)"
  start=$SECONDS
  (cd "$src" && GOFLAGS=-mod=mod go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" "go.etcd.io/etcd/etcdctl/v3@$ETCD_VERSION" >&2)
  for pkg in server etcdctl; do
    out=etcd
    if [ "$pkg" = etcdctl ]; then out=etcdctl; fi
    (cd "$src" && GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w" -o "$BIN/$out.tmp" "go.etcd.io/etcd/$pkg/v3")
    mv "$BIN/$out.tmp" "$BIN/$out"
  done
  log "built etcd $ETCD_VERSION in $(( SECONDS - start )) s"
fi

echo "$BIN"
