#!/usr/bin/env bash
# Builds the Kubernetes components the end-to-end tests run — kube-apiserver,
# kube-controller-manager (from the k8s.io/kubernetes module) and CoreDNS —
# once, into a cache directory keyed by version, and installs Debian's
# etcd-server when no etcd is on the PATH. Later runs reuse the cache.
#
# Prints the directory holding the binaries on stdout (cert-manager's CRDs are
# in ../crds beside it); progress on stderr.
# A cold build takes about 20 minutes on 2 cores.
set -euo pipefail

K8S_VERSION=v1.37.2
STAGING_VERSION=v0.37.2
COREDNS_VERSION=v1.15.0
CERT_MANAGER_VERSION=v1.16.2
CACHE=${HEADLESS_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/headless-e2e/$K8S_VERSION}
BIN=$CACHE/bin
mkdir -p "$BIN"

log() { printf 'e2e: %s\n' "$*" >&2; }

# timed NAME CMD... runs CMD and reports how long it took, printing a line
# every minute so that a long build is visibly alive.
timed() {
  local name=$1; shift
  local start=$SECONDS
  ( while sleep 60; do log "  still building $name ($(( (SECONDS - start) / 60 )) min)"; done ) &
  local ticker=$!
  local rc=0
  "$@" || rc=$?
  kill "$ticker" 2>/dev/null; wait "$ticker" 2>/dev/null || true
  if [ "$rc" -ne 0 ]; then
    log "building $name failed (exit $rc)"
    return "$rc"
  fi
  log "built $name in $(( SECONDS - start )) s"
}

# etcd: Debian's etcd-server (3.4) works with kube-apiserver 1.37.
if ! command -v etcd >/dev/null 2>&1; then
  log "etcd not found; installing Debian's etcd-server"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq etcd-server >&2
fi

# kube-apiserver and kube-controller-manager. k8s.io/kubernetes is not meant
# to be a dependency: its staging modules are required at v0.0.0 and replaced
# by directories, so a throw-away module replaces each with its release.
# The checksum database answers 404 for these two module paths.
if [ ! -x "$BIN/kube-apiserver" ] || [ ! -x "$BIN/kube-controller-manager" ]; then
  src=$CACHE/src
  mkdir -p "$src"
  staging=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" 2>/dev/null | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  if [ -z "$staging" ]; then
    log "downloading k8s.io/kubernetes@$K8S_VERSION"
    GONOSUMDB=k8s.io/kubernetes,k8s.io/controller-manager GOFLAGS=-mod=mod \
      go mod download -json "k8s.io/kubernetes@$K8S_VERSION" >/dev/null
    staging=$(GONOSUMDB=k8s.io/kubernetes go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  fi
  {
    echo "module headless-e2e-kubernetes"
    echo
    echo "go 1.26"
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    echo "replace ("
    grep -E '^\s*k8s\.io/[a-z0-9-]+ => \./staging/' "$staging" | awk -v v="$STAGING_VERSION" '{printf "\t%s => %s %s\n", $1, $1, v}'
    echo ")"
  } >"$src/go.mod"
  ldflags="-s -w"
  for kv in "gitVersion=$K8S_VERSION" "gitMajor=1" "gitMinor=${K8S_VERSION#v1.}" "gitTreeState=clean" "buildDate=1970-01-01T00:00:00Z"; do
    ldflags+=" -X k8s.io/component-base/version.$kv"
  done
  ldflags="${ldflags/gitMinor=37.2/gitMinor=37}"
  for cmd in kube-apiserver kube-controller-manager; do
    if [ -x "$BIN/$cmd" ]; then continue; fi
    log "building $cmd $K8S_VERSION (several minutes on a cold cache)"
    (cd "$src" && timed "$cmd" env GONOSUMDB=k8s.io/kubernetes,k8s.io/controller-manager GOFLAGS=-mod=mod \
      go build -trimpath -ldflags "$ldflags" -o "$BIN/$cmd.tmp" "k8s.io/kubernetes/cmd/$cmd")
    mv "$BIN/$cmd.tmp" "$BIN/$cmd"
  done
fi

if [ ! -x "$BIN/coredns" ]; then
  log "building coredns $COREDNS_VERSION (a few minutes on a cold cache)"
  timed coredns env GOBIN="$BIN.coredns" go install -trimpath -ldflags "-s -w" "github.com/coredns/coredns@$COREDNS_VERSION"
  mv "$BIN.coredns/coredns" "$BIN/coredns"
  rmdir "$BIN.coredns"
fi

# cert-manager's CustomResourceDefinitions, so that the API server validates
# the Certificates of --tls against cert-manager's own schema. They come from
# its Go module (deploy/crds), copied into the cache.
CRDS=$CACHE/crds/cert-manager-$CERT_MANAGER_VERSION
if [ ! -s "$CRDS/crd-certificates.yaml" ]; then
  log "downloading cert-manager $CERT_MANAGER_VERSION for its CRDs"
  dir=$(GOFLAGS=-mod=mod go mod download -json "github.com/cert-manager/cert-manager@$CERT_MANAGER_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  mkdir -p "$CRDS"
  cp "$dir"/deploy/crds/crd-*.yaml "$CRDS/"
  chmod u+w "$CRDS"/*.yaml
fi

echo "$BIN"
