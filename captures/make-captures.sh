#!/usr/bin/env bash
# Regenerates the real captures in captures/ (see captures/README.md).
#
# Why real programs: gotap's end-to-end tests must meet what tcpdump, dig,
# curl, openssl, Node and the go command really put on the wire (segment
# boundaries, retransmission-free but oddly split handshakes, real ClientHellos),
# not what a test author thinks they put there. Everything runs inside a
# private network namespace with only `lo` up, on 127.0.0.x addresses, with a
# dnsmasq on 127.0.0.53 that maps proxy.golang.org, sum.golang.org and
# example.test to loopback addresses: nothing can leave the machine.
#
# Usage: sudo bash captures/make-captures.sh [capture...]
#   (or: sudo npm run captures -- [capture...])
#   With no argument every capture is regenerated; otherwise only the named
#   ones (names as in captures/README.md, e.g. basic, tls13-mtu300).
set -euo pipefail

# The caller's proxy and key-log settings must not leak into the lab's clients.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY SSLKEYLOGFILE

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SCRIPTS=$HERE/scripts
OUT=$HERE
NS=gotap-cap-$$
WORK=
PKI=
MODROOT=
DNSMASQ_PID=
TCPDUMP_PID=
SERVER_PIDS=()
CREATED_ETC_NETNS=0
NS_CREATED=0

ALL_CAPTURES=(
  basic basic-sll2 basic-sll
  tls12-chain-mtu300 tls12-alert-unknown-ca tls13-mtu300
  dns-mixed http-pipelined connect-tunnel
  go-get-tls go-get-plain go-get-connect
  pcapng-dsb pcapng-comments
)

# Fixed names the captures use; every address is loopback.
PROXY_ADDR=127.0.0.10   # proxy.golang.org
SUMDB_ADDR=127.0.0.11   # sum.golang.org (resolvable, no server)
WEB_ADDR=127.0.0.12     # example.test
EDGE_ADDR=127.0.0.13    # edge.example.test (end of a CNAME chain)
V6_ADDR=127.0.0.14      # v6.example.test (also has AAAA ::1)
CONNECT_ADDR=127.0.0.20 # proxy.corp.test, the CONNECT proxy
RESOLVER=127.0.0.53     # dnsmasq
SILENT_RESOLVER=127.0.0.54 # reads queries, never answers
CLOSED_RESOLVER=127.0.0.55 # nothing listens: ICMP port unreachable

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'make-captures.sh: %s\n' "$*" >&2; exit 1; }

require_root() {
  if [ "$(id -u)" -ne 0 ]; then
    die "must run as root (it creates a network namespace and runs tcpdump): sudo npm run captures"
  fi
}

# tool:Debian package
REQUIRED_TOOLS=(
  tcpdump:tcpdump editcap:wireshark-common capinfos:wireshark-common
  dnsmasq:dnsmasq-base dig:bind9-dnsutils curl:curl openssl:openssl
  node:nodejs python3:python3 ip:iproute2 ss:iproute2 ethtool:ethtool
  gzip:gzip env:coreutils
)

check_tools() {
  local missing=() entry tool pkgs=()
  for entry in "${REQUIRED_TOOLS[@]}"; do
    tool=${entry%%:*}
    if ! command -v "$tool" >/dev/null 2>&1; then
      missing+=("$tool")
      pkgs+=("${entry#*:}")
    fi
  done
  if needs_go && ! command -v go >/dev/null 2>&1; then
    missing+=(go)
    pkgs+=(golang-go)
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    die "missing tools: ${missing[*]}; install them with: apt-get install -y $(printf '%s\n' "${pkgs[@]}" | sort -u | tr '\n' ' ')"
  fi
}

needs_go() {
  local c
  for c in "${SELECTED[@]}"; do
    case $c in go-get-*|pcapng-dsb) return 0 ;; esac
  done
  return 1
}

uses_certificates() {
  local c
  for c in "${SELECTED[@]}"; do
    case $c in basic*|tls*|connect-tunnel|go-get-tls|go-get-connect) return 0 ;; esac
  done
  return 1
}

nsx() { ip netns exec "$NS" "$@"; }

# --- process bookkeeping: everything started is stopped by pid -------------

stop_pid() {
  local pid=$1 sig=${2:-TERM} i
  [ -n "$pid" ] || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  for i in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# start_server NAME CMD... — runs CMD in the namespace in the background.
start_server() {
  local name=$1
  shift
  # Not via nsx: $! must be the server itself (ip netns exec execs, no fork).
  ip netns exec "$NS" "$@" >>"$WORK/$name.log" 2>&1 &
  SERVER_PIDS+=("$!")
}

stop_servers() {
  local pid
  for pid in "${SERVER_PIDS[@]}"; do stop_pid "$pid"; done
  SERVER_PIDS=()
}

# wait_listen tcp|udp ADDR:PORT — until a socket in the namespace listens there.
wait_listen() {
  local proto=$1 addr=$2 flag i
  [ "$proto" = tcp ] && flag=-Hltn || flag=-Hlun
  for i in $(seq 100); do
    if nsx ss "$flag" | awk '{print $4}' | grep -qxF "$addr"; then return 0; fi
    sleep 0.1
  done
  die "nothing listens on $proto $addr"
}

# cap_start FILE TCPDUMP-OPTIONS... — starts tcpdump in the namespace and
# returns once it reports that it is listening.
cap_start() {
  local file=$1 i
  shift
  : >"$WORK/tcpdump.log"
  # Immediate mode gives libpcap a ring of fixed-size frames; with -s 0 the
  # default 2 MB buffer holds only ~8 of them, which bursts overflow (on "any"
  # every loopback packet arrives twice). 64 MB holds ~250.
  ip netns exec "$NS" tcpdump -Z root -U -s 0 --immediate-mode -B 65536 "$@" -w "$file" 2>"$WORK/tcpdump.log" &
  TCPDUMP_PID=$!
  for i in $(seq 100); do
    grep -q 'listening on' "$WORK/tcpdump.log" && return 0
    kill -0 "$TCPDUMP_PID" 2>/dev/null || die "tcpdump failed: $(cat "$WORK/tcpdump.log")"
    sleep 0.1
  done
  die "tcpdump did not start: $(cat "$WORK/tcpdump.log")"
}

# cap_stop — lets the last FIN/ACKs arrive, then SIGINT so tcpdump flushes.
cap_stop() {
  sleep 1
  stop_pid "$TCPDUMP_PID" INT
  TCPDUMP_PID=
  if ! grep -qx '0 packets dropped by kernel' "$WORK/tcpdump.log"; then
    die "tcpdump lost packets: $(cat "$WORK/tcpdump.log")"
  fi
}

cleanup() {
  local rc=$? pid f
  set +e
  if [ "$rc" -ne 0 ] && [ -n "$WORK" ] && [ -d "$WORK" ]; then
    for f in "$WORK"/*.log; do
      [ -s "$f" ] || continue
      printf -- '--- %s (last lines)\n' "$(basename "$f")" >&2
      tail -n 15 "$f" >&2
    done
  fi
  [ -n "$TCPDUMP_PID" ] && stop_pid "$TCPDUMP_PID" INT
  stop_servers
  [ -n "$DNSMASQ_PID" ] && stop_pid "$DNSMASQ_PID"
  if [ "$NS_CREATED" = 1 ]; then
    # Children of what this script started (e.g. the go command's helpers).
    for pid in $(ip netns pids "$NS" 2>/dev/null); do stop_pid "$pid"; done
    ip netns del "$NS"
  fi
  rm -rf "/etc/netns/$NS"
  [ "$CREATED_ETC_NETNS" = 1 ] && rmdir /etc/netns 2>/dev/null
  if [ -n "$WORK" ] && [ -d "$WORK" ]; then
    chmod -R u+w "$WORK" 2>/dev/null
    rm -rf "$WORK"
  fi
  exit "$rc"
}

# --- the lab: namespace, DNS, certificates, module tree ---------------------

setup_namespace() {
  [ -d /etc/netns ] || CREATED_ETC_NETNS=1
  mkdir -p "/etc/netns/$NS"
  printf 'nameserver %s\noptions timeout:1 attempts:1\n' "$RESOLVER" >"/etc/netns/$NS/resolv.conf"
  ip netns add "$NS"
  NS_CREATED=1
  nsx ip link set lo up
  # Loopback would otherwise hand tcpdump 64 KB GSO super-packets: with
  # offloads off, segments on the wire (and in the capture) respect the MTU.
  nsx ethtool -K lo tso off gso off gro off >/dev/null 2>&1 || true
}

start_dnsmasq() {
  # HTTPS RR for example.test: priority 1, target ".", alpn=h2, ipv4hint=127.0.0.12.
  local https_rr=0001000001000302683200040004$(printf '%02x' 127 0 0 12)
  local filler
  filler=$(printf 'x%.0s' $(seq 200))
  ip netns exec "$NS" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
    --user=root --pid-file="$WORK/dnsmasq.pid" --listen-address="$RESOLVER" --bind-interfaces \
    --log-queries --log-facility=- \
    --local=/golang.org/ --local=/test/ \
    --host-record=proxy.golang.org,$PROXY_ADDR \
    --host-record=sum.golang.org,$SUMDB_ADDR \
    --host-record=example.test,$WEB_ADDR \
    --host-record=edge.example.test,$EDGE_ADDR \
    --host-record=v6.example.test,$V6_ADDR,::1 \
    --host-record=proxy.corp.test,$CONNECT_ADDR \
    --cname=mirror.example.test,cdn.example.test \
    --cname=cdn.example.test,edge.example.test \
    --dns-rr=example.test,65,"$https_rr" \
    --txt-record=big.example.test,"1-$filler" \
    --txt-record=big.example.test,"2-$filler" \
    --txt-record=big.example.test,"3-$filler" \
    >>"$WORK/dnsmasq.log" 2>&1 &
  DNSMASQ_PID=$!
  wait_listen udp "$RESOLVER:53"
  wait_listen tcp "$RESOLVER:53"
}

# A throwaway CA -> intermediate -> leaf (EC P-256, like Google's leaves), and
# an unrelated CA for the client that must reject the chain.
make_pki() {
  PKI=$WORK/pki
  mkdir -p "$PKI"
  cat >"$PKI/openssl.cnf" <<'EOF'
[req]
distinguished_name = dn
[dn]
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_int]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:proxy.golang.org,DNS:sum.golang.org,DNS:example.test,DNS:*.example.test
EOF
  local k
  for k in ca int leaf other; do
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$PKI/$k.key" 2>/dev/null
  done
  (
    cd "$PKI"
    openssl req -x509 -new -key ca.key -config openssl.cnf -extensions v3_ca -days 3650 \
      -set_serial "0x$(openssl rand -hex 8)" \
      -subj '/O=gotap capture lab/CN=gotap capture lab Root CA' -out ca.pem
    openssl req -x509 -new -key other.key -config openssl.cnf -extensions v3_ca -days 3650 \
      -set_serial "0x$(openssl rand -hex 8)" \
      -subj '/O=somebody else/CN=Unrelated Root CA' -out other.pem
    openssl req -new -key int.key -config openssl.cnf \
      -subj '/O=gotap capture lab/CN=gotap capture lab Intermediate CA' -out int.csr
    openssl x509 -req -in int.csr -CA ca.pem -CAkey ca.key -set_serial "0x$(openssl rand -hex 8)" \
      -days 3650 -extfile openssl.cnf -extensions v3_int -out int.pem 2>/dev/null
    openssl req -new -key leaf.key -config openssl.cnf -subj '/CN=proxy.golang.org' -out leaf.csr
    openssl x509 -req -in leaf.csr -CA int.pem -CAkey int.key -set_serial "0x$(openssl rand -hex 8)" \
      -days 3650 -extfile openssl.cnf -extensions v3_leaf -out leaf.pem 2>/dev/null
    cat leaf.pem int.pem >leaf-int.pem # what a web server sends
    cat int.pem ca.pem >int-ca.pem     # -cert_chain for the 3-certificate chain
    openssl verify -CAfile ca.pem -untrusted int.pem leaf.pem >/dev/null
  )
  # Tests trust capture-ca.pem; it changes whenever a capture that carries
  # certificates is regenerated.
  if uses_certificates; then
    cp "$PKI/ca.pem" "$WORK/out/capture-ca.pem"
    if [ ${#SELECTED[@]} -ne ${#ALL_CAPTURES[@]} ]; then
      log "warning: capture-ca.pem now holds this run's CA; TLS captures not regenerated in this run were signed by the previous one (regenerate all before committing)"
    fi
  fi
  mkdir -p "$WORK/www"
  printf 'hello over TLS from the gotap capture lab\n' >"$WORK/www/hello.txt"
}

make_module_tree() {
  MODROOT=$WORK/modroot
  python3 "$SCRIPTS/make-module.py" "$MODROOT"
}

# Everything is staged in $WORK/out and moved into captures/ only when the
# whole run succeeded, so captures/ never mixes a half-finished run (and its
# new CA) with the previous one.
publish_all() {
  mv -f "$WORK/out"/* "$OUT/"
}

client() { nsx "$@" >>"$WORK/clients.log" 2>&1; }

# --- captures ----------------------------------------------------------------

basic_servers() {
  start_server web node "$SCRIPTS/web-server.mjs" --http "$WEB_ADDR:80" \
    --https "$PROXY_ADDR:443" --cert "$PKI/leaf-int.pem" --key "$PKI/leaf.key"
  wait_listen tcp "$WEB_ADDR:80"
  wait_listen tcp "$PROXY_ADDR:443"
}

# basic_traffic KEYLOG — DNS over UDP and TCP, an HTTP GET, a TLS 1.3 GET.
basic_traffic() {
  client dig @"$RESOLVER" proxy.golang.org A
  client dig @"$RESOLVER" +tcp sum.golang.org A
  client curl -q -sS -4 http://example.test/
  SSLKEYLOGFILE=$1 client curl -q -sS -4 --tlsv1.3 --http1.1 --cacert "$PKI/ca.pem" https://proxy.golang.org/
}

cap_basic() {
  basic_servers
  cap_start "$WORK/out/basic.pcap" -i lo
  basic_traffic "$WORK/out/basic.keylog"
  cap_stop
  stop_servers
  local o=$WORK/out
  editcap -F nsecpcap "$o/basic.pcap" "$o/basic.ns.pcap"
  editcap -F pcapng "$o/basic.pcap" "$o/basic.pcapng"
  gzip -n -9 -c "$o/basic.pcap" >"$o/basic.pcap.gz"
}

# cap_basic_cooked NAME LINKTYPE — the same traffic on "any" with a cooked header.
cap_basic_cooked() {
  local name=$1 linktype=$2
  basic_servers
  cap_start "$WORK/out/$name.pcap" -i any -y "$linktype"
  basic_traffic "$WORK/out/$name.keylog"
  cap_stop
  stop_servers
}

cap_basic_sll2() { cap_basic_cooked basic-sll2 LINUX_SLL2; }
cap_basic_sll() { cap_basic_cooked basic-sll LINUX_SLL; }

# tls_server VERSION-FLAG — openssl s_server on proxy.golang.org:443 sending
# leaf + intermediate + root, serving hello.txt.
tls_server() {
  start_server s_server env -C "$WORK/www" openssl s_server -quiet -accept "$PROXY_ADDR:443" "$1" \
    -cert "$PKI/leaf.pem" -key "$PKI/leaf.key" -cert_chain "$PKI/int-ca.pem" -WWW
  wait_listen tcp "$PROXY_ADDR:443"
}

set_lo_mtu() { nsx ip link set lo mtu "$1"; }

cap_tls12_chain_mtu300() {
  tls_server -tls1_2
  set_lo_mtu 300
  cap_start "$WORK/out/tls12-chain-mtu300.pcap" -i lo
  # The client offers TLS 1.3 too (as Go does) and the server caps at 1.2, as
  # an intercepting box might: its ClientHello (key share, TLS 1.3 suites)
  # then no longer fits one 248-byte segment, unlike a 1.2-only ClientHello.
  printf 'GET /hello.txt HTTP/1.0\r\nHost: proxy.golang.org\r\n\r\n' |
    nsx openssl s_client -4 -quiet -ign_eof -connect proxy.golang.org:443 -servername proxy.golang.org \
      -alpn h2,http/1.1 -CAfile "$PKI/ca.pem" -verify_return_error \
      -keylogfile "$WORK/out/tls12-chain-mtu300.keylog" >>"$WORK/clients.log" 2>&1
  cap_stop
  set_lo_mtu 65536
  stop_servers
}

cap_tls12_alert_unknown_ca() {
  tls_server -tls1_2
  cap_start "$WORK/out/tls12-alert-unknown-ca.pcap" -i lo
  # Trusts only an unrelated CA: OpenSSL rejects the chain and sends a fatal
  # unknown_ca alert in clear, right after the server's Certificate.
  if client curl -q -sS -4 --tlsv1.2 --tls-max 1.2 --cacert "$PKI/other.pem" https://proxy.golang.org/hello.txt; then
    die "curl accepted a chain it should have rejected"
  fi
  cap_stop
  stop_servers
}

cap_tls13_mtu300() {
  tls_server -tls1_3
  set_lo_mtu 300
  cap_start "$WORK/out/tls13-mtu300.pcap" -i lo
  SSLKEYLOGFILE=$WORK/out/tls13-mtu300.keylog \
    client curl -q -sS -4 --tlsv1.3 --cacert "$PKI/ca.pem" https://proxy.golang.org/hello.txt
  cap_stop
  set_lo_mtu 65536
  stop_servers
}

cap_dns_mixed() {
  start_server silent python3 "$SCRIPTS/silent-udp.py" "$SILENT_RESOLVER" 53
  wait_listen udp "$SILENT_RESOLVER:53"
  cap_start "$WORK/out/dns-mixed.pcap" -i lo
  client dig @"$RESOLVER" proxy.golang.org A
  client dig @"$RESOLVER" nosuchmodule.example.test A         # NXDOMAIN
  client dig @"$RESOLVER" mirror.example.test A               # CNAME -> CNAME -> A
  client dig @"$RESOLVER" v6.example.test AAAA
  client dig @"$RESOLVER" sum.golang.org AAAA                 # NOERROR, no data
  client dig @"$RESOLVER" example.test HTTPS                  # type 65
  client dig @"$RESOLVER" +cookie=0123456789abcdef sum.golang.org A
  client dig @"$RESOLVER" +noedns big.example.test TXT        # truncated, retried over TCP
  client dig @"$SILENT_RESOLVER" +tries=1 +time=1 proxy.golang.org A || true
  client dig @"$CLOSED_RESOLVER" +tries=1 +time=1 proxy.golang.org A || true
  cap_stop
  stop_servers
}

cap_http_pipelined() {
  start_server web node "$SCRIPTS/web-server.mjs" --http "$WEB_ADDR:80"
  wait_listen tcp "$WEB_ADDR:80"
  cap_start "$WORK/out/http-pipelined.pcap" -i lo
  client python3 "$SCRIPTS/pipeline-client.py" example.test 80 /a /b /c
  client curl -q -sS -4 http://example.test/a http://example.test/b http://example.test/c
  client curl -q -sS -4 http://example.test/chunked
  client curl -q -sS -4 -I http://example.test/
  cap_stop
  stop_servers
}

cap_connect_tunnel() {
  start_server web node "$SCRIPTS/web-server.mjs" --https "$PROXY_ADDR:443" --h2 \
    --cert "$PKI/leaf-int.pem" --key "$PKI/leaf.key" --root "$MODROOT"
  start_server proxy node "$SCRIPTS/connect-proxy.mjs" "$CONNECT_ADDR:3128"
  wait_listen tcp "$PROXY_ADDR:443"
  wait_listen tcp "$CONNECT_ADDR:3128"
  cap_start "$WORK/out/connect-tunnel.pcap" -i lo
  SSLKEYLOGFILE=$WORK/out/connect-tunnel.keylog \
    client curl -q -sS -4 -x http://proxy.corp.test:3128 --cacert "$PKI/ca.pem" \
    https://proxy.golang.org/example.test/hello/@v/list
  cap_stop
  stop_servers
}

# go_download NAME GOPROXY — the real go command fetching example.test/hello.
go_download() {
  local name=$1 proxy=$2 home=$WORK/go-$1
  mkdir -p "$home/home" "$home/cwd"
  if ! HOME=$home/home GOPATH=$home/gopath GOMODCACHE=$home/modcache GOCACHE=$home/cache \
    GOENV=off GOWORK=off GOFLAGS=-modcacherw GOPROXY=$proxy GOSUMDB=off GOPRIVATE= GONOPROXY= \
    GOINSECURE= SSL_CERT_FILE=$PKI/ca.pem \
    nsx env -C "$home/cwd" go mod download -x example.test/hello@latest 2>"$WORK/out/$name.x.log"; then
    die "go mod download failed: $(cat "$WORK/out/$name.x.log")"
  fi
  # The -x log is ground truth for tests; keep it free of this run's temp paths.
  sed -i "s|$WORK|\$WORK|g" "$WORK/out/$name.x.log"
}

cap_go_get_tls() {
  start_server web node "$SCRIPTS/web-server.mjs" --https "$PROXY_ADDR:443" --h2 \
    --cert "$PKI/leaf-int.pem" --key "$PKI/leaf.key" --root "$MODROOT" \
    --keylog "$WORK/out/go-get-tls.keylog"
  wait_listen tcp "$PROXY_ADDR:443"
  cap_start "$WORK/out/go-get-tls.pcap" -i lo
  go_download go-get-tls https://proxy.golang.org
  cap_stop
  stop_servers
}

# The go command behind a corporate proxy: HTTPS_PROXY makes it CONNECT.
cap_go_get_connect() {
  start_server web node "$SCRIPTS/web-server.mjs" --https "$PROXY_ADDR:443" --h2 \
    --cert "$PKI/leaf-int.pem" --key "$PKI/leaf.key" --root "$MODROOT" \
    --keylog "$WORK/out/go-get-connect.keylog"
  start_server proxy node "$SCRIPTS/connect-proxy.mjs" "$CONNECT_ADDR:3128"
  wait_listen tcp "$PROXY_ADDR:443"
  wait_listen tcp "$CONNECT_ADDR:3128"
  cap_start "$WORK/out/go-get-connect.pcap" -i lo
  HTTPS_PROXY=http://proxy.corp.test:3128 go_download go-get-connect https://proxy.golang.org
  cap_stop
  stop_servers
}

cap_go_get_plain() {
  start_server web node "$SCRIPTS/web-server.mjs" --http "$PROXY_ADDR:80" --root "$MODROOT"
  wait_listen tcp "$PROXY_ADDR:80"
  cap_start "$WORK/out/go-get-plain.pcap" -i lo
  go_download go-get-plain http://proxy.golang.org
  cap_stop
  stop_servers
}

# Derived files: their source comes from this run if it made one, else from
# captures/.
source_file() {
  if [ -f "$WORK/out/$1" ]; then
    echo "$WORK/out/$1"
  elif [ -f "$OUT/$1" ]; then
    echo "$OUT/$1"
  else
    die "$1 is missing: regenerate it first (make-captures.sh ${1%%.*})"
  fi
}

cap_pcapng_dsb() {
  local pcap keylog
  pcap=$(source_file go-get-tls.pcap)
  keylog=$(source_file go-get-tls.keylog)
  editcap -F pcapng --inject-secrets "tls,$keylog" "$pcap" "$WORK/out/pcapng-dsb.pcapng"
}

cap_pcapng_comments() {
  local pcap
  pcap=$(source_file basic.pcap)
  editcap -F pcapng -a '1:first packet: dig asks dnsmasq for proxy.golang.org' \
    -a '2:second packet: a comment with UTF-8 (é) and a line break
inside' \
    "$pcap" "$WORK/out/pcapng-comments.pcapng"
}

# expect FILE FILTER [none] — FILTER (a tshark display filter) must match a
# packet of FILE staged in this run, or match none with "none". Catches a tool
# update that silently changes what a capture shows.
expect() {
  local file=$WORK/out/$1 filter=$2 want=${3:-some} out n
  [ -f "$file" ] || return 0
  out=$(tshark -n -r "$file" -Y "$filter" 2>"$WORK/tshark.log") ||
    die "$1: tshark failed on '$filter': $(cat "$WORK/tshark.log")"
  n=$(printf '%s' "$out" | grep -c . || true)
  if [ "$want" = none ] && [ "$n" -ne 0 ]; then die "$1: '$filter' should match nothing, matched $n packets"; fi
  if [ "$want" = some ] && [ "$n" -eq 0 ]; then die "$1: '$filter' matched no packet"; fi
}

verify() {
  if ! command -v tshark >/dev/null 2>&1; then
    log "tshark not found (apt-get install -y tshark): captures not verified"
    return 0
  fi
  local f
  for f in basic.pcap basic.ns.pcap basic.pcapng basic.pcap.gz basic-sll2.pcap basic-sll.pcap pcapng-comments.pcapng; do
    expect "$f" 'udp && dns.a == 127.0.0.10'
    expect "$f" 'tcp && dns.a == 127.0.0.11'
    expect "$f" 'http.request.method == "GET" && http.host == "example.test"'
    expect "$f" 'tls.handshake.extensions_server_name == "proxy.golang.org" && tls.handshake.type == 1'
  done
  expect basic-sll2.pcap 'sll.ifindex == 1'
  expect basic-sll.pcap 'sll.pkttype == 0'
  expect pcapng-comments.pcapng 'frame.comment contains "dnsmasq"'
  expect tls12-chain-mtu300.pcap 'tls.handshake.type == 1 && tcp.segment.count >= 2'
  expect tls12-chain-mtu300.pcap 'tls.handshake.type == 11 && tcp.segment.count >= 5'
  expect tls12-chain-mtu300.pcap 'x509sat.uTF8String == "gotap capture lab Root CA"'
  expect tls12-alert-unknown-ca.pcap 'tls.alert_message.desc == 48 && tls.alert_message.level == 2'
  expect tls13-mtu300.pcap 'tls.handshake.type == 1 && tcp.segment.count >= 2'
  expect tls13-mtu300.pcap 'tls.handshake.type == 11' none
  expect dns-mixed.pcap 'dns.flags.rcode == 3'
  expect dns-mixed.pcap 'dns.count.answers == 3 && dns.cname == "edge.example.test"'
  expect dns-mixed.pcap 'dns.aaaa == ::1'
  expect dns-mixed.pcap 'dns.flags.response == 1 && dns.qry.type == 65 && dns.count.answers == 1'
  expect dns-mixed.pcap 'dns.opt.cookie.client == 01:23:45:67:89:ab:cd:ef'
  expect dns-mixed.pcap 'dns.flags.truncated == 1'
  expect dns-mixed.pcap 'ip.dst == 127.0.0.54 && dns'
  expect dns-mixed.pcap 'icmp.type == 3 && icmp.code == 3'
  expect http-pipelined.pcap 'count(http.request.method) == 3'
  expect http-pipelined.pcap 'http.transfer_encoding == "chunked"'
  expect http-pipelined.pcap 'http.request.method == "HEAD"'
  expect connect-tunnel.pcap 'http.request.method == "CONNECT" && http.request.uri == "proxy.golang.org:443"'
  expect connect-tunnel.pcap 'http.response.code == 200 && tcp.srcport == 3128'
  expect connect-tunnel.pcap 'tcp.dstport == 3128 && tls.handshake.extensions_server_name == "proxy.golang.org"'
  expect go-get-tls.pcap 'tls.handshake.type == 1 && tls.handshake.extensions_alpn_str == "h2"'
  expect go-get-plain.pcap 'http.request.uri == "/example.test/hello/@v/v1.0.0.zip" && http.user_agent contains "Go-http-client"'
  expect go-get-connect.pcap 'http.request.method == "CONNECT" && http.user_agent contains "Go-http-client"'
  expect pcapng-dsb.pcapng 'http2.headers.path == "/example.test/hello/@v/v1.0.0.zip"'
}

summary() {
  local f
  printf '\n%-34s %9s %8s\n' capture bytes packets
  for f in "$OUT"/*.pcap "$OUT"/*.pcapng "$OUT"/*.pcap.gz; do
    [ -f "$f" ] || continue
    printf '%-34s %9s %8s\n' "$(basename "$f")" "$(stat -c %s "$f")" \
      "$(capinfos -c -M -T -r "$f" 2>/dev/null | cut -f2)"
  done
  printf '%-34s %9s\n' 'total captures/ (without lab/)' \
    "$(du -cb --exclude=lab "$OUT" | tail -1 | cut -f1)"
}

main() {
  require_root
  SELECTED=("$@")
  [ ${#SELECTED[@]} -gt 0 ] || SELECTED=("${ALL_CAPTURES[@]}")
  local c k known
  for c in "${SELECTED[@]}"; do
    known=0
    for k in "${ALL_CAPTURES[@]}"; do [ "$c" = "$k" ] && known=1; done
    [ "$known" = 1 ] || die "unknown capture '$c' (known: ${ALL_CAPTURES[*]})"
  done
  check_tools
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  WORK=$(mktemp -d /tmp/gotap-captures.XXXXXX)
  mkdir -p "$WORK/out"
  setup_namespace
  start_dnsmasq
  make_pki
  make_module_tree
  for c in "${SELECTED[@]}"; do
    log "$c"
    "cap_${c//-/_}"
  done
  verify
  publish_all
  summary
}

main "$@"
