#!/usr/bin/env bash
# Socket-plane benchmark: isthmus's TCP relay and HTTP gateway against their common peers, in one
# run, on one topology, alternating the rows so that the machine's noise spreads over all of them.
#
#   sudo bench/relay.sh                 # REPS=3 rounds of every row
#   sudo REPS=1 SECS=2 bench/relay.sh   # a smoke run
#
# Topology (namespaces made and removed here; traffic only between them):
#   client  2001:db8:6::2 ── 2001:db8:6::1  middle  198.51.100.1 ── 198.51.100.2  server
# The client is IPv6-only and the server IPv4-only: the relays and proxies in the middle carry
# the traffic across. "direct" rows run the client program in the middle, straight to the server
# (no relay; the ceiling).
#
# TCP rows, MB/s of one iperf3 stream for SECS seconds, client → server and (-R) server → client:
#   direct    iperf3 in the middle → 198.51.100.2:5201
#   6tunnel   Debian's 6tunnel -4 -6 on [2001:db8:6::1]:15201 → 198.51.100.2:5201
#   isthmus   [[relay]] on [2001:db8:6::1]:25201 → 198.51.100.2:5201
# HTTP rows, wrk -t1 -cCONNS for SECS seconds against bench/OriginServer.java (a 1 KiB page,
# keep-alive) on 198.51.100.2:8080; requests/s, average and 99th percentile latency:
#   direct           wrk in the middle → the origin
#   tinyproxy        Debian's tinyproxy as forward proxy on [2001:db8:6::1]:8888 (absolute-URI requests)
#   isthmus-forward  [http.forward] on [2001:db8:6::1]:3128 (the same absolute-URI requests)
#   isthmus-reverse  [[http.reverse]] on [2001:db8:6::1]:8080 (origin-form, Host: bench.test)
# Medians of REPS rounds, the raw values in brackets.
#
# Needs: iproute2, iperf3, jq, wrk, 6tunnel, tinyproxy, JDK 25 and the packaged jar
# (./mvnw -pl app package; ISTHMUS_JAR overrides app/target/isthmus.jar).
# Environment: REPS (3), SECS (5), CONNS (32), ISTHMUS_JAR, JAVA.
set -euo pipefail

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd -P)
root=$(cd "$here/.." && pwd -P)
REPS=${REPS:-3}; SECS=${SECS:-5}; CONNS=${CONNS:-32}
ISTHMUS_JAR=${ISTHMUS_JAR:-$root/app/target/isthmus.jar}
JAVA=${JAVA:-$("$root/.ci/find-jdk")/bin/java}

P=rbench
NS_C=$P-client NS_X=$P-mid NS_S=$P-server
WORK=$(mktemp -d /tmp/$P.XXXXXX)
PIDS=()

[ "$(id -u)" -eq 0 ] || { echo "relay.sh: needs root (network namespaces)" >&2; exit 77; }
for tool in ip iperf3 jq wrk 6tunnel tinyproxy setsid; do
  command -v $tool >/dev/null || { echo "relay.sh: $tool is not installed" >&2; exit 69; }
done
[ -f "$ISTHMUS_JAR" ] || { echo "relay.sh: no $ISTHMUS_JAR (./mvnw -pl app package -DskipTests)" >&2; exit 69; }

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 0.5
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  for ns in $NS_C $NS_X $NS_S; do ip netns del $ns 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
bg() { local ns=$1 log=$2; shift 2; setsid ip netns exec "$ns" "$@" >"$WORK/$log.log" 2>&1 & PIDS+=($!); }
wait_tcp() {  # ns host port
  for _ in $(seq 100); do nsx "$1" bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null && return 0; sleep 0.1; done
  echo "relay.sh: nothing listens on $2:$3 in $1" >&2; exit 1
}

for ns in $NS_C $NS_X $NS_S; do ip netns add $ns; nsx $ns ip link set lo up; done
ip link add c6 netns $NS_C type veth peer name x6 netns $NS_X
ip link add s4 netns $NS_S type veth peer name x4 netns $NS_X
nsx $NS_C ip -6 addr add 2001:db8:6::2/64 dev c6 nodad
nsx $NS_X ip -6 addr add 2001:db8:6::1/64 dev x6 nodad
nsx $NS_X ip -4 addr add 198.51.100.1/24 dev x4
nsx $NS_S ip -4 addr add 198.51.100.2/24 dev s4
for pair in "$NS_C c6" "$NS_X x6" "$NS_X x4" "$NS_S s4"; do set -- $pair; nsx "$1" ip link set "$2" up; done

# Servers.
bg $NS_S iperf3 iperf3 -s -B 198.51.100.2 -p 5201
bg $NS_S origin "$JAVA" -XX:+UseSerialGC "$here/OriginServer.java" 198.51.100.2 8080
# Peers.
bg $NS_X 6tunnel 6tunnel -d -4 -6 -l 2001:db8:6::1 15201 198.51.100.2 5201
cat > "$WORK/tinyproxy.conf" <<CONF
Port 8888
Listen 2001:db8:6::1
Timeout 60
MaxClients 256
Allow 2001:db8:6::/64
DisableViaHeader Yes
LogLevel Error
CONF
bg $NS_X tinyproxy tinyproxy -d -c "$WORK/tinyproxy.conf"
# isthmus: the relay and both proxies in one process, as an operator would run them.
cat > "$WORK/isthmus.toml" <<CONF
[control]
socket = "$WORK/isthmus.sock"

[[relay]]
name = "iperf"
listen = "[2001:db8:6::1]:25201"
connect = "198.51.100.2:5201"
allow = ["2001:db8:6::/64"]

[http.forward]
listen = "[2001:db8:6::1]:3128"
allow = ["2001:db8:6::/64"]

[[http.reverse]]
host = "bench.test"
backend = "198.51.100.2:8080"
listen = "[2001:db8:6::1]:8080"
CONF
bg $NS_X isthmus "$JAVA" -jar "$ISTHMUS_JAR" run -c "$WORK/isthmus.toml"

wait_tcp $NS_S 198.51.100.2 5201
wait_tcp $NS_S 198.51.100.2 8080
wait_tcp $NS_X 2001:db8:6::1 15201
wait_tcp $NS_X 2001:db8:6::1 8888
wait_tcp $NS_X 2001:db8:6::1 25201
wait_tcp $NS_X 2001:db8:6::1 3128

echo 'request = function() return wrk.format("GET", "http://198.51.100.2:8080/") end' > "$WORK/absolute.lua"
echo 'wrk.headers["Host"] = "bench.test"' > "$WORK/reverse.lua"

tcp() {  # row reverse? -> MB/s
  local ns=$NS_C host=2001:db8:6::1 port
  case $1 in direct) ns=$NS_X host=198.51.100.2 port=5201 ;; 6tunnel) port=15201 ;; isthmus) port=25201 ;; esac
  local json
  # iperf3 serves one test at a time: a run that finds the server still finishing the last one
  # ("the server is busy") is tried again.
  for _ in 1 2 3; do
    json=$(nsx $ns iperf3 -c $host -p $port -t "$SECS" $2 -J || true)
    if jq -e '.end.sum_received.seconds' <<<"$json" >/dev/null 2>&1; then
      jq '.end.sum_received.bytes / .end.sum_received.seconds / 1e6 | floor' <<<"$json"
      return
    fi
    sleep 1
  done
  echo "relay.sh: iperf3 $1 $2 failed: $(jq -r .error <<<"$json" 2>/dev/null)" >&2
  echo 0
}
http() {  # row -> "rps avg_ms p99_ms"
  local ns=$NS_C url script=
  case $1 in
    direct) ns=$NS_X url=http://198.51.100.2:8080/ ;;
    tinyproxy) url=http://[2001:db8:6::1]:8888/ script=absolute ;;
    isthmus-forward) url=http://[2001:db8:6::1]:3128/ script=absolute ;;
    isthmus-reverse) url=http://[2001:db8:6::1]:8080/ script=reverse ;;
  esac
  local out
  out=$(nsx $ns wrk -t1 -c"$CONNS" -d"${SECS}s" --latency ${script:+-s "$WORK/$script.lua"} "$url")
  local errors; errors=$(sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' <<<"$out")
  [ -z "$errors" ] || echo "relay.sh: $1: $errors non-2xx responses" >&2
  local rps avg p99
  rps=$(awk '/Requests\/sec/ {printf "%d", $2}' <<<"$out")
  avg=$(awk '/^ +Latency/ {print $2; exit}' <<<"$out")
  p99=$(awk '/^ +99%/ {print $2}' <<<"$out")
  echo "$rps $(ms "$avg") $(ms "$p99")"
}
ms() {  # wrk's "1.23ms" / "456.00us" / "1.20s" -> milliseconds
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /s$/ && v !~ /ms$/) n *= 1000; printf "%.2f", n }'
}
median() { tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

# Warm-up: the JIT compiles isthmus's paths before anything is measured.
nsx $NS_C wrk -t1 -c8 -d2s -s "$WORK/reverse.lua" http://[2001:db8:6::1]:8080/ >/dev/null
nsx $NS_C wrk -t1 -c8 -d2s -s "$WORK/absolute.lua" http://[2001:db8:6::1]:3128/ >/dev/null
nsx $NS_C iperf3 -c 2001:db8:6::1 -p 25201 -t 2 >/dev/null

declare -A up down rps avg p99
TCP_ROWS=(direct 6tunnel isthmus)
HTTP_ROWS=(direct tinyproxy isthmus-forward isthmus-reverse)
for r in $(seq "$REPS"); do
  for row in "${TCP_ROWS[@]}"; do
    up[$row]+="$(tcp $row '') "
    down[$row]+="$(tcp $row -R) "
  done
  for row in "${HTTP_ROWS[@]}"; do
    read -r a b c <<<"$(http $row)"
    rps[$row]+="$a "; avg[$row]+="$b "; p99[$row]+="$c "
  done
  echo "round $r of $REPS done" >&2
done

echo
echo "TCP relay, one iperf3 stream, ${SECS} s, MB/s (median of $REPS)"
echo "| row | client → server | server → client |"
echo "|---|---|---|"
for row in "${TCP_ROWS[@]}"; do
  echo "| $row | $(median <<<"${up[$row]% }") [${up[$row]% }] | $(median <<<"${down[$row]% }") [${down[$row]% }] |"
done
echo
echo "HTTP, wrk -t1 -c$CONNS, ${SECS} s, 1 KiB page (median of $REPS)"
echo "| row | requests/s | latency avg ms | latency p99 ms |"
echo "|---|---|---|---|"
for row in "${HTTP_ROWS[@]}"; do
  echo "| $row | $(median <<<"${rps[$row]% }") [${rps[$row]% }] | $(median <<<"${avg[$row]% }") | $(median <<<"${p99[$row]% }") |"
done
