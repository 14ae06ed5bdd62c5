#!/usr/bin/env bash
# Makes the cleartext HTTP/2 captures (captures/README.md, "h2c"):
#   h2c-prior-knowledge.pcap  a Node http2 client (scripts/h2c-client.mjs: concurrent streams on
#                             one connection) → Node http2.createServer (padded frames):
#                             Go-module-proxy paths, a 404, then a POST with a body
#   h2c-upgrade.pcap          curl --http2 (HTTP/1.1 "Upgrade: h2c", RFC 7540 §3.2) →
#                             nghttpx (no-tls frontend; Node's http2 and nghttpd do not
#                             implement the Upgrade) → python3 http.server with the same files
# Everything runs in a private network namespace with only `lo` up, on 127.0.0.10;
# the clients reach "proxy.golang.org" through curl --resolve, so no DNS is involved.
# Usage: sudo bash captures/make-h2c.sh
set -euo pipefail
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY SSLKEYLOGFILE

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NS=gotap-h2c-$$
ADDR=127.0.0.10
WORK=$(mktemp -d)
PIDS=()

die() { printf 'make-h2c.sh: %s\n' "$*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "must run as root (network namespace, tcpdump)"
for t in tcpdump:tcpdump curl:curl node:nodejs nghttpx:nghttp2-proxy python3:python3 ip:iproute2 ss:iproute2; do
  command -v "${t%%:*}" >/dev/null || die "missing ${t%%:*}: apt-get install -y ${t#*:}"
done
curl --version | grep -q 'HTTP2' || die "this curl has no HTTP/2 support"

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" addr add "$ADDR/8" dev lo 2>/dev/null || true

# bg NAME CMD... — starts CMD in the namespace, logging to $WORK/NAME.log.
bg() {
  local name=$1; shift
  ip netns exec "$NS" "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=("$!")
}
wait_port() {
  for _ in $(seq 50); do
    ip netns exec "$NS" ss -ltn | grep -q "$ADDR:$1 " && return 0
    sleep 0.1
  done
  die "nothing listens on $ADDR:$1: $(cat "$WORK"/*.log)"
}

# capture NAME PORT CLIENT-COMMAND... — one client run (one connection) captured into captures/NAME.pcap.
capture() {
  local name=$1 port=$2; shift 2
  local file=$WORK/$name.pcap
  ip netns exec "$NS" tcpdump -Z root -U -s 0 --immediate-mode -B 65536 -i lo -w "$file" "tcp port $port" >/dev/null 2>"$WORK/tcpdump-$name.log" &
  local tpid=$!
  PIDS+=("$tpid")
  for _ in $(seq 50); do grep -q 'listening on' "$WORK/tcpdump-$name.log" && break; sleep 0.1; done
  ip netns exec "$NS" "$@" >"$WORK/client-$name.log"
  sleep 0.5
  kill -INT "$tpid"
  wait "$tpid" || true
  grep -qx '0 packets dropped by kernel' "$WORK/tcpdump-$name.log" || die "tcpdump lost packets: $(cat "$WORK/tcpdump-$name.log")"
  cp "$file" "$HERE/$name.pcap"
  printf '%s: %s bytes\n' "$name.pcap" "$(stat -c %s "$HERE/$name.pcap")"
}

MOD=github.com/x/y/@v
mkdir -p "$WORK/htdocs/$MOD"
node -e '
  const fs = require("fs"), d = process.argv[1];
  fs.writeFileSync(d + "/list", "v1.0.0\nv1.1.0\n");
  fs.writeFileSync(d + "/v1.0.0.info", "{\"Version\":\"v1.0.0\",\"Time\":\"2024-01-02T03:04:05Z\"}");
  fs.writeFileSync(d + "/v1.0.0.mod", "module github.com/x/y\n\ngo 1.21\n");
  fs.writeFileSync(d + "/v1.0.0.zip", Buffer.from(Array.from({ length: 40000 }, (_, i) => (i * 31 + 7) & 0xff)));
' "$WORK/htdocs/$MOD"

bg h2c-server node "$HERE/scripts/h2c-server.mjs" "$ADDR" 8080
bg files python3 -m http.server -b "$ADDR" -d "$WORK/htdocs" 8082
bg nghttpx nghttpx --conf=/dev/null --workers=1 --frontend="$ADDR,8081;no-tls" --backend="$ADDR,8082" \
  --errorlog-file="$WORK/nghttpx-error.log" --accesslog-file=/dev/null
wait_port 8080
wait_port 8081
wait_port 8082

BASE=http://proxy.golang.org
capture h2c-prior-knowledge 8080 node "$HERE/scripts/h2c-client.mjs" "$ADDR" 8080 proxy.golang.org:8080 \
  "/$MOD/list" "/$MOD/v1.0.0.info" "/$MOD/v1.0.0.mod" "/$MOD/v1.0.0.zip" /github.com/x/missing/@v/list
capture h2c-upgrade 8081 curl -sS --resolve "proxy.golang.org:8081:$ADDR" --http2 -A 'Go-http-client/1.1' \
  "$BASE:8081/$MOD/list" "$BASE:8081/$MOD/v1.0.0.info" "$BASE:8081/$MOD/v1.0.0.mod" "$BASE:8081/$MOD/v1.0.0.zip" \
  "$BASE:8081/github.com/x/missing/@v/list"
