#!/usr/bin/env bash
# Installs what stands in for the database images when the end-to-end tests
# run pods as real processes (see kubelet.go): Debian's PostgreSQL, Redis,
# ZooKeeper (with a JRE), MariaDB with Galera 4, mariadb-backup and socat
# (the mariadb preset's SST), RabbitMQ with Debian's Erlang, and the tools the harness uses (iproute2, nsenter, netcat); etcd v3.6 built
# from its Go modules (Debian's etcd 3.4 has no /livez or /readyz, which the
# etcd preset's probes ask for); nats-server v2.11 installed from its Go
# module (Debian's 2.9 has no /healthz?js-meta-only, which the nats preset's
# readiness probe asks for). Idempotent: a second run installs nothing.
#
# Prints the stand-ins directory on stdout (etcd, etcdctl, nats-server, and
# rabbitmq/enabled_plugins); progress on stderr.
set -euo pipefail

ETCD_VERSION=v3.6.7
NATS_VERSION=v2.11.17
ROOT=${HEADLESS_E2E_CACHE_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/headless-e2e}
CACHE=$ROOT/etcd-$ETCD_VERSION
BIN=$CACHE/bin
NATS_BIN=$ROOT/nats-server-$NATS_VERSION/bin
OUT=$ROOT/standins
HERE=$(cd "$(dirname "$0")" && pwd)

log() { printf 'e2e: %s\n' "$*" >&2; }

# Debian packages, by the command each provides.
declare -A packages=(
  [/usr/lib/postgresql/15/bin/postgres]=postgresql-15
  [/usr/lib/postgresql/15/bin/psql]=postgresql-client-15
  [/usr/bin/redis-server]=redis-server
  [/usr/bin/redis-cli]=redis-tools
  [/usr/share/zookeeper/bin/zkServer.sh]=zookeeper
  [/usr/bin/java]=default-jre-headless
  [/usr/sbin/mariadbd]=mariadb-server
  [/usr/bin/mariadb-install-db]=mariadb-server
  [/usr/bin/mariadb]=mariadb-client
  [/usr/bin/mariadb-backup]=mariadb-backup
  [/usr/lib/galera/libgalera_smm.so]=galera-4
  [/usr/bin/socat]=socat
  [/usr/lib/rabbitmq/bin/rabbitmq-server]=rabbitmq-server
  [/usr/lib/erlang/bin/erl]=erlang-base
  [/usr/bin/curl]=curl
  [/usr/bin/nc]=netcat-openbsd
  [/usr/sbin/ip]=iproute2
  [/usr/bin/nsenter]=util-linux
  [/usr/bin/unshare]=util-linux
)
missing=()
for path in "${!packages[@]}"; do
  if [ ! -e "$path" ]; then missing+=("${packages[$path]}"); fi
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

# nats-server: `go install` from its module, as the release binaries are
# built; the checksum database knows it.
if [ ! -x "$NATS_BIN/nats-server" ]; then
  log "installing nats-server $NATS_VERSION (about a minute)"
  start=$SECONDS
  mkdir -p "$NATS_BIN"
  GOBIN=$NATS_BIN GOFLAGS=-trimpath go install -ldflags "-s -w" "github.com/nats-io/nats-server/v2@$NATS_VERSION" >&2
  log "installed nats-server $NATS_VERSION in $(( SECONDS - start )) s"
fi

# The stand-ins directory: links to the built servers.
mkdir -p "$OUT"
ln -sfn "$BIN/etcd" "$OUT/etcd"
ln -sfn "$BIN/etcdctl" "$OUT/etcdctl"
ln -sfn "$NATS_BIN/nats-server" "$OUT/nats-server"

# The rabbitmq image's /etc/rabbitmq/enabled_plugins is written by its
# Dockerfile's `rabbitmq-plugins enable --offline rabbitmq_prometheus`; the
# same command writes the stand-in's.
if [ ! -s "$OUT/rabbitmq/enabled_plugins" ]; then
  mkdir -p "$OUT/rabbitmq"
  scratch=$(mktemp -d)
  (cd "$scratch" && env -i PATH=/usr/lib/rabbitmq/bin:/usr/bin:/bin HOME="$scratch" LANG=C.UTF-8 \
    RABBITMQ_ENABLED_PLUGINS_FILE="$OUT/rabbitmq/enabled_plugins" RABBITMQ_MNESIA_BASE="$scratch/mnesia" \
    rabbitmq-plugins enable --offline rabbitmq_prometheus >&2)
  rm -rf "$scratch"
  chmod 0644 "$OUT/rabbitmq/enabled_plugins"
fi

echo "$OUT"
