#!/usr/bin/env bash
# Lab benchmark: isthmus against its peers, measured in one run, on one topology, the same way.
#
#   sudo bench/lab.sh                          # every row: kernel tayga isthmus isthmus-nooffload
#   sudo bench/lab.sh isthmus tayga            # only these rows, in this order
#   sudo REPS=1 SECS=1 UDP_COUNT=50000 PINGS=100 bench/lab.sh   # a smoke run (seconds, not minutes)
#
# Rows:
#   kernel             plain IPv6 forwarding to the server's IPv6 address, no translation: the ceiling
#   tayga              Debian's tayga (apt-get install tayga)
#   isthmus            isthmus run, dataplane.offload = true (TSO/USO super-packets through the TUN)
#   isthmus-nooffload  isthmus run, dataplane.offload = false
#
# Topology (namespaces made and removed by this script; traffic only between them):
#   client  c6 2001:db8:6::2 ── x6 2001:db8:6::1  middle  x4 198.51.100.1 ── s4 198.51.100.2  server
#                                                                            (2001:db8:4::2 for `kernel`)
# Translation: pool6 2001:db8:64::/96 (RFC 6052; a network-specific prefix because the
# documentation ranges are not global, §3.1), the client mapped 2001:db8:6::2 <-> 192.0.2.2
# (an EAM for isthmus, `map` for tayga). The client reaches the server at 2001:db8:64::c633:6402.
#
# Figures per row (the method of shared/lab/bench.sh, whose BASELINE.md this table extends):
#   ping RTT     PINGS echoes at 10 ms (1000: 10 s, so that a millisecond outlier moves the average
#                by a microsecond, not five), average
#   TCP          one iperf3 stream for SECS seconds, each direction (client sends; -R server sends)
#   UDP          trafgen (netsniff-ng) sends UDP_COUNT IPv6 UDP datagrams with a 64-byte payload
#                from the client as fast as one core allows; "delivered pps" is what reaches the
#                server's interface per second of sending
#   CPU/packet   the translator process's user + system CPU time (all threads, /proc/PID/stat)
#                during the UDP flood, divided by the packets delivered
#
# The middle's interfaces behave like NICs (MIDDLE=nic, the default): receive offload on (GRO
# with rx-udp-gro-forwarding), and during the UDP flood interrupt moderation (gro_flush_timeout
# 20 µs, napi_defer_hard_irqs 2), as a NIC's adaptive moderation batches under load and
# interrupts at once for a lone packet; so that a poll under load sees a batch of packets
# instead of one packet per poll as a veth otherwise has; and the server discards the flood at its
# interface (nft netdev ingress, before the server's IP stack), because on a veth the server's
# stack runs inside the translator's write call and would be counted as translator CPU (for
# UDP to a closed port that is an ICMP port unreachable route lookup per datagram, about half
# of isthmus's CPU time). MIDDLE=plain measures the way shared/lab/bench.sh does: no GRO, no
# moderation, no discard. Every row of one run gets the same middle.
# Medians of REPS runs, the raw values in brackets.
#
# Needs: iproute2, iputils-ping, iperf3, jq, bc, ethtool, netsniff-ng, nftables, tayga (for its row), JDK 25 and the
# packaged jar (./mvnw -pl app package; ISTHMUS_JAR overrides app/target/isthmus.jar).
# Environment: REPS (3), SECS (5), UDP_COUNT (1000000), PINGS (1000), MIDDLE (nic | plain), ISTHMUS_JAR, JAVA.
set -euo pipefail

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd -P)
root=$(cd "$here/.." && pwd -P)
REPS=${REPS:-3}; SECS=${SECS:-5}; UDP_COUNT=${UDP_COUNT:-1000000}; MIDDLE=${MIDDLE:-nic}; PINGS=${PINGS:-1000}
ISTHMUS_JAR=${ISTHMUS_JAR:-$root/app/target/isthmus.jar}
MODES=("$@"); [ ${#MODES[@]} -gt 0 ] || MODES=(kernel tayga isthmus isthmus-nooffload)

P=blab
NS_C=$P-client NS_X=$P-mid NS_S=$P-server
TARGET6=2001:db8:64::c633:6402
WORK=$(mktemp -d /tmp/$P.XXXXXX)
PIDS=()
XLAT_PID=

[ "$(id -u)" -eq 0 ] || { echo "lab.sh: needs root (network namespaces, TUN devices)" >&2; exit 77; }
tools=(ip ping iperf3 jq bc trafgen setsid ethtool)
case $MIDDLE in
  nic) tools+=(nft) ;;
  plain) ;;
  *) echo "lab.sh: MIDDLE=$MIDDLE: expected nic or plain" >&2; exit 64 ;;
esac
for tool in "${tools[@]}"; do
  command -v $tool >/dev/null || { echo "lab.sh: $tool is not installed" >&2; exit 69; }
done
for m in "${MODES[@]}"; do
  case $m in
    kernel|isthmus|isthmus-nooffload) ;;
    tayga) command -v tayga >/dev/null || { echo "lab.sh: tayga is not installed (apt-get install tayga)" >&2; exit 69; } ;;
    *) echo "lab.sh: unknown row $m (kernel, tayga, isthmus, isthmus-nooffload)" >&2; exit 64 ;;
  esac
done
if [[ " ${MODES[*]} " == *" isthmus"* ]]; then
  [ -f "$ISTHMUS_JAR" ] || { echo "lab.sh: no $ISTHMUS_JAR (build it: ./mvnw -pl app package)" >&2; exit 66; }
  JAVA=${JAVA:-$("$root/.ci/find-jdk")/bin/java}
  # The flags of the ./isthmus launcher (transparent huge pages where the host offers them).
  JVM_FLAGS=(--enable-native-access=ALL-UNNAMED)
  if [ -r /sys/kernel/mm/transparent_hugepage/enabled ] && ! grep -q '\[never\]' /sys/kernel/mm/transparent_hugepage/enabled; then
    JVM_FLAGS+=(-XX:+UseTransparentHugePages)
  fi
fi

nx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

stop_bg() {  # stop_bg PID: SIGTERM its process group, SIGKILL after 10 s
  local pid=$1
  kill -TERM -- -"$pid" 2>/dev/null || return 0
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL -- -"$pid" 2>/dev/null || true
}

cleanup() {
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && stop_bg "$pid"; done
  for ns in $NS_C $NS_X $NS_S; do ip netns del $ns 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_bg() {  # start_bg NS LOG CMD...: in the background, in a session of its own; sets BG_PID
  local ns=$1 log=$2; shift 2
  setsid ip netns exec "$ns" "$@" >>"$log" 2>&1 &
  BG_PID=$!
  PIDS+=("$BG_PID")
}

setup() {
  for ns in $NS_C $NS_X $NS_S; do
    ip netns add $ns
    nx $ns ip link set lo up
    nx $ns sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
  done
  ip link add c6 netns $NS_C type veth peer name x6 netns $NS_X
  ip link add s4 netns $NS_S type veth peer name x4 netns $NS_X
  nx $NS_C ip addr add 2001:db8:6::2/64 dev c6 nodad
  nx $NS_X ip addr add 2001:db8:6::1/64 dev x6 nodad
  nx $NS_X ip addr add 198.51.100.1/24 dev x4
  nx $NS_S ip addr add 198.51.100.2/24 dev s4
  nx $NS_X ip addr add 2001:db8:4::1/64 dev x4 nodad   # only the kernel row uses IPv6 on this side
  nx $NS_S ip addr add 2001:db8:4::2/64 dev s4 nodad
  for l in "$NS_C c6" "$NS_X x6" "$NS_X x4" "$NS_S s4"; do set -- $l; nx $1 ip link set $2 up; done
  nx $NS_C ip -6 route add default via 2001:db8:6::1
  nx $NS_S ip route add default via 198.51.100.1
  nx $NS_S ip -6 route add default via 2001:db8:4::1
  nx $NS_X sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
  # The middle's links segment UDP super-packets themselves, as a NIC without UDP segmentation
  # offload would: otherwise a veth carries them whole into the next namespace, the receiver's
  # interface counts one packet per super-packet and its stack gets off cheaply. Rows that never
  # write UDP super-packets (kernel, tayga, isthmus-nooffload) are not affected.
  nx $NS_X ethtool -K x4 tx-udp-segmentation off >/dev/null
  nx $NS_X ethtool -K x6 tx-udp-segmentation off >/dev/null
  [ "$MIDDLE" = nic ] && nic_like
  return 0
}

# MIDDLE=nic (see the header): receive offload on the middle's links, a discard at the server's
# interface.
nic_like() {
  local dev
  for dev in x6 x4; do
    nx $NS_X ethtool -K $dev gro on rx-udp-gro-forwarding on >/dev/null
  done
  nx $NS_S nft -f - <<NFT
table netdev discard {
  chain flood { type filter hook ingress device "s4" priority 0; udp dport 9 drop; }
}
NFT
}

# Starts the row's translator (none for kernel); sets TARGET, XLAT_PID, XLAT_LOG.
start_row() {
  local mode=$1 offload
  XLAT_PID=; XLAT_LOG=$WORK/$mode.log
  case $mode in
    kernel) ;;
    tayga)
      mkdir -p "$WORK/tayga"
      cat >"$WORK/tayga.conf" <<CONF
tun-device tayga0
ipv4-addr 192.0.2.1
prefix 2001:db8:64::/96
map 192.0.2.2 2001:db8:6::2
data-dir $WORK/tayga
CONF
      nx $NS_X tayga -c "$WORK/tayga.conf" --mktun >>"$XLAT_LOG" 2>&1
      nx $NS_X ip link set tayga0 up
      nx $NS_X ip -6 route replace 2001:db8:64::/96 dev tayga0
      nx $NS_X ip route replace 192.0.2.0/24 dev tayga0
      start_bg $NS_X "$XLAT_LOG" tayga -c "$WORK/tayga.conf" -d
      XLAT_PID=$BG_PID ;;
    isthmus|isthmus-nooffload)
      [ $mode = isthmus ] && offload=true || offload=false
      # ipv4-address is routed to the middle but not assigned to it (see docs/CONFIG.md).
      cat >"$WORK/$mode.toml" <<CONF
[siit]
pool6 = "2001:db8:64::/96"
ipv4-address = "192.0.2.1"
[[siit.eam]]
ipv6 = "2001:db8:6::2/128"
ipv4 = "192.0.2.2/32"
[dataplane]
device = "isthmus0"
workers = 0
manage-routes = true
offload = $offload
[control]
socket = "/run/isthmus/$P.sock"
CONF
      start_bg $NS_X "$XLAT_LOG" "$JAVA" "${JVM_FLAGS[@]}" -jar "$ISTHMUS_JAR" run --config "$WORK/$mode.toml"
      XLAT_PID=$BG_PID
      # Ready once isthmus has routed the EAM prefix, the last of its routes (30 s at most).
      for _ in $(seq 300); do
        nx $NS_X ip -4 route show 192.0.2.2/32 | grep -q isthmus0 && break
        kill -0 $XLAT_PID 2>/dev/null || break
        sleep 0.1
      done
      kill -0 $XLAT_PID 2>/dev/null || { echo "lab.sh: isthmus run exited; its log:" >&2; tail -20 "$XLAT_LOG" >&2; return 1; } ;;
  esac
  [ $mode = kernel ] && TARGET=2001:db8:4::2 || TARGET=$TARGET6
  # Wait for the first reply, then warm up (neighbour discovery on both links, the translator's
  # JIT) so that the first RTTs measured are not a second long.
  for _ in $(seq 50); do
    if nx $NS_C ping -c1 -W1 -q $TARGET >/dev/null 2>&1; then
      nx $NS_C ping -c 20 -i 0.05 -q $TARGET >/dev/null 2>&1 || true
      return 0
    fi
    sleep 0.2
  done
  echo "lab.sh: no ping reply from $TARGET through $mode; its log:" >&2; tail -20 "$XLAT_LOG" >&2; return 1
}

stop_row() {
  local mode=$1
  [ -n "$XLAT_PID" ] && stop_bg "$XLAT_PID"
  XLAT_PID=
  case $mode in
    tayga) nx $NS_X ip link del tayga0 2>/dev/null || true ;;   # --mktun made it persistent
    isthmus*) ! nx $NS_X ip link show isthmus0 >/dev/null 2>&1 || { echo "lab.sh: isthmus0 left behind" >&2; nx $NS_X ip link del isthmus0 || true; } ;;
  esac
  # The next row starts from a clean slate: no cached path MTUs or neighbours.
  nx $NS_C ip -6 route flush cache 2>/dev/null || true
  nx $NS_X ip -6 route flush cache 2>/dev/null || true
}

# CPU time (user + system, clock ticks, all threads) of the translator process.
cpu_ticks() {
  [ -n "$XLAT_PID" ] && [ -r /proc/$XLAT_PID/stat ] || { echo 0; return; }
  awk '{ sub(/^.*\) /, ""); print $12 + $13 }' /proc/$XLAT_PID/stat
}

# moderation FLUSH_NS DEFER: interrupt moderation of the middle's links (0 0: none).
moderation() {
  local dev
  for dev in x6 x4; do
    nx $NS_X sh -c "echo $1 >/sys/class/net/$dev/gro_flush_timeout; echo $2 >/sys/class/net/$dev/napi_defer_hard_irqs"
  done
}

# Small-packet rate: prints "pps loss% ns/packet".
udp_flood() {
  local mode=$1 mac rx0 rx1 t0 t1 c0 c1
  mac=$(ip -n $NS_X -j link show x6 | jq -r '.[0].address')
  cat >"$WORK/udp.cfg" <<CFG
{ eth(da=$mac, type=0x86dd), ipv6(sa=2001:db8:6::2, da=$TARGET, hl=64), udp(sp=1000, dp=9), fill(0x41, 64) }
CFG
  rx0=$(ip -n $NS_S -j -s link show s4 | jq '.[0].stats64.rx.packets')
  # A veth hands a packet to receive offload only if the sending veth has no TSO or the packet
  # comes from a socket's send call (veth_skb_is_eligible_for_gro); trafgen's packet ring is
  # neither, so TSO is off on the generator's link while it floods (a NIC has no such rule).
  [ "$MIDDLE" = nic ] && { nx $NS_C ethtool -K c6 tso off >/dev/null; moderation 20000 2; }
  c0=$(cpu_ticks); t0=$(date +%s.%N)
  timeout 60 ip netns exec $NS_C trafgen -o c6 -i "$WORK/udp.cfg" -n "$UDP_COUNT" -P 1 >/dev/null 2>&1 || true
  t1=$(date +%s.%N)
  [ "$MIDDLE" = nic ] && { nx $NS_C ethtool -K c6 tso on >/dev/null; moderation 0 0; }
  sleep 1   # what is still queued in the translator arrives (and is counted)
  rx1=$(ip -n $NS_S -j -s link show s4 | jq '.[0].stats64.rx.packets')
  c1=$(cpu_ticks)
  awk -v d=$((rx1 - rx0)) -v n="$UDP_COUNT" -v t="$(echo "$t1 - $t0" | bc)" -v c=$((c1 - c0)) \
      -v hz="$(getconf CLK_TCK)" -v k="$mode" \
    'BEGIN { if (d > n) d = n; ns = (k == "kernel" || d == 0) ? "-" : sprintf("%.0f", c / hz * 1e9 / d)
             printf "%d %.1f %s\n", d / t, 100 * (n - d) / n, ns }'
}

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
med() { printf '%s\n' "$@" | median; }

iperf_gbps() {  # iperf_gbps OUT.json [-R]: one stream for SECS seconds; Gbit/s received, 2 decimals
  local out=$1; shift
  if timeout $((SECS + 20)) ip netns exec $NS_C iperf3 -c $TARGET -p 5201 -t "$SECS" -J "$@" >"$out" 2>&1; then
    jq '.end.sum_received.bits_per_second / 1e7 | round / 100' "$out"
  else
    echo 0
  fi
}

measure() {
  local mode=$1 srv r rtt=() tcp=() tcpr=() udp=() loss=() cpu=() pps lost nspp label
  [ $mode = kernel ] && srv=2001:db8:4::2 || srv=198.51.100.2
  start_bg $NS_S "$WORK/iperf3-server.log" iperf3 -s -B $srv -p 5201
  local iperf=$BG_PID
  sleep 0.5
  for r in $(seq "$REPS"); do
    rtt+=("$(nx $NS_C ping -c "$PINGS" -i 0.01 -W 1 -q $TARGET | awk -F/ '/rtt/ { print $5 }' || true)")
    tcp+=("$(iperf_gbps "$WORK/$mode-tcp$r.json")")
    tcpr+=("$(iperf_gbps "$WORK/$mode-tcpr$r.json" -R)")
    read -r pps lost nspp < <(udp_flood $mode)
    udp+=("$pps"); loss+=("$lost"); cpu+=("$nspp")
  done
  stop_bg $iperf
  case $mode in
    kernel) label="kernel (IPv6 forwarding, no translation: the ceiling)" ;;
    tayga) label="tayga $(dpkg-query -W -f='${Version}' tayga 2>/dev/null | sed 's/-.*//')" ;;
    isthmus) label="isthmus $ISTHMUS_VERSION, offload on" ;;
    isthmus-nooffload) label="isthmus $ISTHMUS_VERSION, offload off" ;;
  esac
  local c="—"; [ "${cpu[0]}" != "-" ] && c="$(med "${cpu[@]}") (${cpu[*]})"
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$label" \
    "$(med "${rtt[@]:-}") (${rtt[*]:-})" "$(med "${tcp[@]}") (${tcp[*]})" "$(med "${tcpr[@]}") (${tcpr[*]})" \
    "$(med "${udp[@]}") (${udp[*]})" "$(med "${loss[@]}")" "$c"
}

ISTHMUS_VERSION=
if [ -n "${JAVA:-}" ]; then
  ISTHMUS_VERSION=$("$JAVA" -jar "$ISTHMUS_JAR" --version 2>/dev/null | head -1 | awk '{ print $NF }') || true
fi
setup
echo "Measured $(date -u +%Y-%m-%d) with bench/lab.sh (REPS=$REPS SECS=$SECS UDP_COUNT=$UDP_COUNT PINGS=$PINGS MIDDLE=$MIDDLE) on $(nproc) CPUs, kernel $(uname -r)."
echo
echo "| translator | ping RTT avg ms | TCP 6→4 Gbit/s | TCP 4→6 Gbit/s | UDP 64 B delivered pps | UDP loss % | translator CPU ns/packet |"
echo "|---|---|---|---|---|---|---|"
for mode in "${MODES[@]}"; do
  if start_row $mode; then
    measure $mode
  else
    echo "| $mode | failed to start (log: $XLAT_LOG) | | | | | |"
  fi
  stop_row $mode
done
echo
echo "Raw iperf3 JSON and translator logs: $WORK"
