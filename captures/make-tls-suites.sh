#!/usr/bin/env bash
# Makes the key-log decryption captures in captures/tls-suites/ (see its README.md):
# one small TLS connection per cipher suite / protocol feature, each with the NSS key
# log its client wrote, so gotap's decryption is tested against what OpenSSL and curl
# really put on the wire (record splitting, TLS 1.0 empty fragments, padding, EtM,
# KeyUpdate, HelloRetryRequest, middlebox-compatibility ChangeCipherSpec), not against
# records the test encrypted itself.
#
# Everything runs inside a private network namespace with only `lo` up; servers listen
# on 127.0.0.1 there and are stopped by pid afterwards.
#
# Usage: sudo bash captures/make-tls-suites.sh [name...]   (no name: all)
set -euo pipefail
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY SSLKEYLOGFILE OPENSSL_CONF

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$HERE/tls-suites
NS=gotap-tls-$$
WORK=
SERVER_PID=
TCPDUMP_PID=
NS_CREATED=0
PORT=4433

die() { printf 'make-tls-suites.sh: %s\n' "$*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "must run as root (network namespace, tcpdump)"
for t in tcpdump openssl curl ip ss; do command -v "$t" >/dev/null || die "missing $t"; done

nsx() { ip netns exec "$NS" "$@"; }

stop_pid() {
  local pid=$1 sig=${2:-TERM} i
  [ -n "$pid" ] || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  set +e
  [ "$rc" -ne 0 ] && [ -n "$WORK" ] && tail -n 20 "$WORK"/*.log >&2 2>/dev/null
  stop_pid "$TCPDUMP_PID" INT
  stop_pid "$SERVER_PID"
  [ "$NS_CREATED" = 1 ] && ip netns del "$NS"
  [ -n "$WORK" ] && rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT

WORK=$(mktemp -d)
ip netns add "$NS"
NS_CREATED=1
nsx ip link set lo up
# No 64 KB GSO super-packets: segments in the capture respect the MTU.
nsx ethtool -K lo tso off gso off gro off >/dev/null 2>&1 || true

# Self-signed EC and RSA certificates (clients use -k / no verification: the captures
# test the record layer, not the chain).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 -subj /CN=tls-suites.test \
  -keyout "$WORK/ec.key" -out "$WORK/ec.pem" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=tls-suites.test \
  -keyout "$WORK/rsa.key" -out "$WORK/rsa.pem" 2>/dev/null
mkdir -p "$WORK/www" "$WORK/out"
printf 'hello from the gotap tls-suites capture\n' >"$WORK/www/hello.txt"
# OpenSSL configuration with a section that turns the extended master secret off.
cat >"$WORK/openssl.cnf" <<'EOF'
openssl_conf = init
[init]
ssl_conf = ssl_sect
[ssl_sect]
noems = noems_sect
[noems_sect]
Options = -ExtendedMasterSecret
EOF

# server KEYTYPE ARGS... — openssl s_server serving $WORK/www on 127.0.0.1:$PORT.
server() {
  local kt=$1 i
  shift
  OPENSSL_CONF=$WORK/openssl.cnf ip netns exec "$NS" env -C "$WORK/www" openssl s_server -quiet -accept "127.0.0.1:$PORT" \
    -cert "$WORK/$kt.pem" -key "$WORK/$kt.key" -WWW "$@" >>"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for i in $(seq 100); do
    nsx ss -Hltn | awk '{print $4}' | grep -qxF "127.0.0.1:$PORT" && return 0
    sleep 0.1
  done
  die "s_server did not start: $*"
}

cap_start() {
  : >"$WORK/tcpdump.log"
  ip netns exec "$NS" tcpdump -Z root -U -s 0 --immediate-mode -B 65536 -i lo -w "$1" "tcp port $PORT" 2>"$WORK/tcpdump.log" &
  TCPDUMP_PID=$!
  local i
  for i in $(seq 100); do
    grep -q 'listening on' "$WORK/tcpdump.log" && return 0
    sleep 0.1
  done
  die "tcpdump did not start"
}

cap_stop() {
  sleep 0.5
  stop_pid "$TCPDUMP_PID" INT
  TCPDUMP_PID=
  grep -qx '0 packets dropped by kernel' "$WORK/tcpdump.log" || die "tcpdump lost packets"
  stop_pid "$SERVER_PID"
  SERVER_PID=
}

# curl_get NAME CURL-ARGS... — one HTTPS GET of hello.txt, key log from curl.
curl_get() {
  local name=$1
  shift
  SSLKEYLOGFILE=$WORK/out/$name.keylog nsx curl -q -sS -k --http1.1 "$@" "https://127.0.0.1:$PORT/hello.txt" >>"$WORK/client.log" 2>&1
}

# run NAME KEYTYPE "SERVER ARGS" CURL-ARGS...
run() {
  local name=$1 kt=$2 sargs=$3
  shift 3
  selected "$name" || return 0
  printf '== %s\n' "$name" >&2
  # shellcheck disable=SC2086
  server "$kt" $sargs
  cap_start "$WORK/out/$name.pcap"
  curl_get "$name" "$@"
  cap_stop
}

selected() {
  [ ${#ONLY[@]} -eq 0 ] && return 0
  local n
  for n in "${ONLY[@]}"; do [ "$n" = "$1" ] && return 0; done
  return 1
}

ONLY=("$@")

# TLS 1.3, one capture per suite (OpenSSL sends the middlebox-compatibility CCS).
run tls13-aes128gcm ec "-tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256" --tlsv1.3 --tls13-ciphers TLS_AES_128_GCM_SHA256
run tls13-aes256gcm ec "-tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384" --tlsv1.3 --tls13-ciphers TLS_AES_256_GCM_SHA384
run tls13-chacha20 ec "-tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256" --tlsv1.3 --tls13-ciphers TLS_CHACHA20_POLY1305_SHA256
# HelloRetryRequest: curl's key share is X25519, the server accepts only P-384.
run tls13-hrr ec "-tls1_3 -groups P-384" --tlsv1.3 --curves X25519:P-384

# TLS 1.2 ECDHE (EC certificate) — AEAD suites.
run tls12-ecdhe-aes128gcm ec "-tls1_2" --tlsv1.2 --tls-max 1.2 --ciphers ECDHE-ECDSA-AES128-GCM-SHA256
run tls12-ecdhe-aes256gcm ec "-tls1_2" --tlsv1.2 --tls-max 1.2 --ciphers ECDHE-ECDSA-AES256-GCM-SHA384
run tls12-ecdhe-chacha20 ec "-tls1_2" --tlsv1.2 --tls-max 1.2 --ciphers ECDHE-ECDSA-CHACHA20-POLY1305
# CBC: OpenSSL negotiates encrypt-then-MAC by default; -no_etm gives MAC-then-encrypt.
run tls12-ecdhe-cbc-sha-etm ec "-tls1_2" --tlsv1.2 --tls-max 1.2 --ciphers ECDHE-ECDSA-AES128-SHA
run tls12-ecdhe-cbc-sha ec "-tls1_2 -no_etm" --tlsv1.2 --tls-max 1.2 --ciphers ECDHE-ECDSA-AES256-SHA
run tls12-ecdhe-cbc-sha256 ec "-tls1_2 -no_etm" --tlsv1.2 --tls-max 1.2 --ciphers ECDHE-ECDSA-AES128-SHA256
run tls12-ecdhe-cbc-sha384 ec "-tls1_2 -no_etm" --tlsv1.2 --tls-max 1.2 --ciphers ECDHE-ECDSA-AES256-SHA384
# RSA key exchange (RSA certificate), and DHE.
run tls12-rsa-aes128gcm rsa "-tls1_2" --tlsv1.2 --tls-max 1.2 --ciphers AES128-GCM-SHA256
run tls12-rsa-cbc-sha256 rsa "-tls1_2 -no_etm" --tlsv1.2 --tls-max 1.2 --ciphers AES256-SHA256
run tls12-dhe-aes256gcm rsa "-tls1_2" --tlsv1.2 --tls-max 1.2 --ciphers DHE-RSA-AES256-GCM-SHA384
# Extended master secret off (the other TLS 1.2 captures have it on).
run tls12-no-ems ec "-tls1_2 -ssl_config noems" --tlsv1.2 --tls-max 1.2 --ciphers ECDHE-ECDSA-AES128-GCM-SHA256
# TLS 1.1 (explicit CBC IV) and TLS 1.0 (chained IV, empty-fragment records), MtE and EtM.
run tls11-cbc-sha ec "-tls1_1 -no_etm -cipher ALL@SECLEVEL=0" --tlsv1.1 --tls-max 1.1 --ciphers 'ECDHE-ECDSA-AES128-SHA@SECLEVEL=0'
run tls10-cbc-sha ec "-tls1 -no_etm -cipher ALL@SECLEVEL=0" --tlsv1.0 --tls-max 1.0 --ciphers 'ECDHE-ECDSA-AES256-SHA@SECLEVEL=0'
run tls10-cbc-sha-etm ec "-tls1 -cipher ALL@SECLEVEL=0" --tlsv1.0 --tls-max 1.0 --ciphers 'ECDHE-ECDSA-AES128-SHA@SECLEVEL=0'

# KeyUpdate: s_client's "K" command sends a KeyUpdate requesting the server's, then the
# request and the response travel under the next-generation keys of both directions.
if selected tls13-keyupdate; then
  printf '== tls13-keyupdate\n' >&2
  server ec -tls1_3
  cap_start "$WORK/out/tls13-keyupdate.pcap"
  { sleep 0.5; printf 'K\n'; sleep 0.3; printf 'GET /hello.txt HTTP/1.0\r\n\r\n'; sleep 1; } |
    nsx openssl s_client -connect "127.0.0.1:$PORT" -tls1_3 -keylogfile "$WORK/out/tls13-keyupdate.keylog" >>"$WORK/client.log" 2>&1 || true
  cap_stop
fi

# 0-RTT: a first connection gets a session ticket (not captured), the second resumes
# with early data: one record under the client early traffic secret before the
# ServerHello, EndOfEarlyData under it after, then the client Finished. The server runs
# in s_server's default mode (-WWW does not read early data) and closes after the
# handshake, so no HTTP exchange follows.
if selected tls13-early-data; then
  printf '== tls13-early-data\n' >&2
  printf 'early data line\n' >"$WORK/early.txt"
  OPENSSL_CONF=$WORK/openssl.cnf ip netns exec "$NS" openssl s_server -quiet -accept "127.0.0.1:$PORT" -tls1_3 \
    -cert "$WORK/ec.pem" -key "$WORK/ec.key" -early_data >>"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for i in $(seq 100); do nsx ss -Hltn | awk '{print $4}' | grep -qxF "127.0.0.1:$PORT" && break; sleep 0.1; done
  { sleep 0.5; printf 'first connection\n'; sleep 0.5; } |
    nsx openssl s_client -connect "127.0.0.1:$PORT" -tls1_3 -quiet -sess_out "$WORK/sess.pem" >>"$WORK/client.log" 2>&1 || true
  [ -s "$WORK/sess.pem" ] || die "no session ticket for the early-data capture"
  cap_start "$WORK/out/tls13-early-data.pcap"
  { sleep 0.5; printf 'after the handshake\n'; sleep 0.5; } |
    nsx openssl s_client -connect "127.0.0.1:$PORT" -tls1_3 -quiet -sess_in "$WORK/sess.pem" \
      -early_data "$WORK/early.txt" -keylogfile "$WORK/out/tls13-early-data.keylog" >>"$WORK/client.log" 2>&1 || true
  cap_stop
fi

mkdir -p "$OUT"
for f in "$WORK"/out/*.pcap; do
  n=$(basename "$f" .pcap)
  [ -s "$WORK/out/$n.keylog" ] || die "$n: the client wrote no key log"
  cp "$f" "$WORK/out/$n.keylog" "$OUT/"
  printf '%-28s %6d bytes\n' "$n" "$(stat -c %s "$f")" >&2
done
