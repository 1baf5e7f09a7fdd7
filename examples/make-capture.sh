#!/usr/bin/env bash
# make-capture.sh - record examples/mixed.pcap, a real SIIT translator input capture.
#
# Run as root on Debian 12 (bookworm). Needs network namespaces and /dev/net/tun.
#
# Topology (four network namespaces, all traffic stays inside them):
#
#   isx-client            isx-xlat                        isx-router            isx-server
#   IPv6-only             tayga (TUN nat64) + routing     IPv4 router           IPv4-only
#   c0 2001:db8:6::2 ---- x6 2001:db8:6::1
#                         x4 203.0.113.1/30 ------------- r0 203.0.113.2/30
#                                                          r1 198.51.100.1/24 -- s0 198.51.100.2/24
#
# Translation parameters (must match examples/siit.toml):
#   pool6 (RFC 6052 prefix)  2001:db8:64::/96
#   EAM (RFC 7757)           192.0.2.2 <-> 2001:db8:6::2   (the client's IPv4 alias)
#   translator IPv4 address  192.0.2.1  (tayga ipv4-addr; source of tayga's own ICMPv4 errors)
#   server as seen by client 2001:db8:64::c633:6402 (= 198.51.100.2 embedded in pool6)
#
# The capture is taken in isx-xlat with `tcpdump -i any` (LINKTYPE_LINUX_SLL2) and keeps only
# packets *received* on the two veths: IPv6 arriving from the client on x6 and IPv4 arriving from
# the IPv4 side on x4. That is exactly the input a SIIT translator sitting in isx-xlat must
# translate. A second file, examples/tayga-reference.pcap, keeps what left isx-xlat on the same
# two veths (tayga's translations plus the xlat kernel's own ICMP), for comparing outputs.
#
# Usage: sudo examples/make-capture.sh [OUTPUT_DIR]     (default: the directory of this script)
#
# TRANSLATOR=isthmus-nat64 runs isthmus itself as a stateful NAT64 (RFC 6146) with the [nat64]
# section of examples/nat64.toml instead of tayga, and writes nat64.pcap (its input, as above) and
# nat64-output.pcap (what left isx-xlat). isthmus allocates pool4 ports deterministically, so
# `isthmus translate --config examples/nat64.toml --in examples/nat64.pcap` rebuilds the same BIB
# entries and sessions from the capture and its IPv4 replies find them.

set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT_DIR=${1:-$HERE}
TRANSLATOR=${TRANSLATOR:-tayga}
case $TRANSLATOR in
    tayga) OUT_PCAP="$OUT_DIR/mixed.pcap"; OUT_REF="$OUT_DIR/tayga-reference.pcap" ;;
    isthmus-nat64) OUT_PCAP="$OUT_DIR/nat64.pcap"; OUT_REF="$OUT_DIR/nat64-output.pcap" ;;
    *) echo "make-capture: TRANSLATOR must be tayga or isthmus-nat64, not $TRANSLATOR" >&2; exit 2 ;;
esac
DEADLINE=150   # seconds; the watchdog below kills the whole run after that

NS_C=isx-client
NS_X=isx-xlat
NS_R=isx-router
NS_S=isx-server
ALL_NS=("$NS_C" "$NS_X" "$NS_R" "$NS_S")

CLIENT6=2001:db8:6::2
GW6=2001:db8:6::1
POOL6=2001:db8:64::/96
TAYGA4=192.0.2.1
CLIENT4=192.0.2.2
SERVER4=198.51.100.2
ROUTER4_S=198.51.100.1
XLAT4=203.0.113.1
ROUTER4_X=203.0.113.2
SERVER6=2001:db8:64::c633:6402   # 198.51.100.2 = c6.33.64.02

PY=/usr/bin/python3              # Debian's python, not whatever is first in PATH

log() { printf '[make-capture] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ $EUID -eq 0 ]] || die "run as root"

WORK=$(mktemp -d /tmp/isx-capture.XXXXXX)
PIDS=()
CREATED_NS=()
WATCHDOG=

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    set +e
    [[ -n $WATCHDOG ]] && kill "$WATCHDOG" 2>/dev/null
    # Stop what we started, by PID, most recent first.
    for ((i=${#PIDS[@]}-1; i>=0; i--)); do
        kill -TERM "${PIDS[i]}" 2>/dev/null
    done
    sleep 0.5
    for ((i=${#PIDS[@]}-1; i>=0; i--)); do
        kill -KILL "${PIDS[i]}" 2>/dev/null
        wait "${PIDS[i]}" 2>/dev/null
    done
    # Anything still living inside our own namespaces was started by us too.
    for ns in "${CREATED_NS[@]}"; do
        for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
    done
    # Deleting a namespace also destroys its veths and tayga's TUN device.
    for ns in "${CREATED_NS[@]}"; do ip netns del "$ns" 2>/dev/null; done
    rm -rf "$WORK"
    if [[ $rc -ne 0 ]]; then log "failed (exit $rc); namespaces and temp files removed"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Watchdog: the whole run is bounded in time even if a tool hangs.
# Its sleep is killed with it, so no orphan keeps our stdout open after we exit.
(
    trap 'kill "$sp" 2>/dev/null; exit 0' TERM
    sleep "$DEADLINE" </dev/null >/dev/null 2>&1 & sp=$!
    wait "$sp" && { log "deadline of ${DEADLINE}s reached"; kill -TERM $$; }
) &
WATCHDOG=$!

# ---------------------------------------------------------------------------------------------
# 1. Tools
# ---------------------------------------------------------------------------------------------
need_pkgs=()
command -v ip         >/dev/null || need_pkgs+=(iproute2)
command -v tcpdump    >/dev/null || need_pkgs+=(tcpdump)
command -v ping       >/dev/null || need_pkgs+=(iputils-ping)
command -v curl       >/dev/null || need_pkgs+=(curl)
command -v dig        >/dev/null || need_pkgs+=(dnsutils)
command -v traceroute >/dev/null || need_pkgs+=(traceroute)
command -v ethtool    >/dev/null || need_pkgs+=(ethtool)
[[ -x /usr/sbin/tayga || $TRANSLATOR != tayga ]] || need_pkgs+=(tayga)
[[ -x $PY ]]                     || need_pkgs+=(python3)
if ((${#need_pkgs[@]})); then
    log "installing: ${need_pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    timeout 120 apt-get update -qq || true
    timeout 300 apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null \
        || log "apt-get install failed for some of: ${need_pkgs[*]}"
fi
for t in ip tcpdump ping curl dig traceroute ethtool; do
    command -v "$t" >/dev/null || die "missing tool: $t"
done
[[ -c /dev/net/tun ]] || log "no /dev/net/tun: tayga cannot run"

# ---------------------------------------------------------------------------------------------
# 2. Namespaces and links
# ---------------------------------------------------------------------------------------------
for ns in "${ALL_NS[@]}"; do
    ip netns list | awk '{print $1}' | grep -qx "$ns" && die "namespace $ns already exists; remove it first"
done
for ns in "${ALL_NS[@]}"; do
    ip netns add "$ns"
    CREATED_NS+=("$ns")
    ip -n "$ns" link set lo up
done
nx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# veth pairs with fixed MAC addresses so every run looks alike.
ip link add c0 netns "$NS_C" address 02:00:00:00:06:02 type veth peer x6 netns "$NS_X" address 02:00:00:00:06:01
ip link add x4 netns "$NS_X" address 02:00:00:00:71:01 type veth peer r0 netns "$NS_R" address 02:00:00:00:71:02
ip link add r1 netns "$NS_R" address 02:00:00:00:64:01 type veth peer s0 netns "$NS_S" address 02:00:00:00:64:02

# veths hand checksum-offloaded (CHECKSUM_PARTIAL) and TSO super-packets to their peer; a capture
# on the peer would then show wrong TCP/UDP checksums and >MTU segments. Turn offloads off so the
# capture holds real, wire-correct packets.
for pair in "$NS_C c0" "$NS_X x6" "$NS_X x4" "$NS_R r0" "$NS_R r1" "$NS_S s0"; do
    set -- $pair
    nx "$1" ethtool -K "$2" tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
done

# IPv4-only hosts: no IPv6 at all (no RS/MLD chatter in the capture either).
for ns in "$NS_R" "$NS_S"; do
    nx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
# IPv6-only client: no IPv4 address, and quiet ND (no router solicitations, no MLD reports).
nx "$NS_C" sysctl -qw net.ipv6.conf.all.router_solicitations=0 net.ipv6.conf.default.router_solicitations=0 \
    net.ipv6.conf.all.force_mld_version=2 net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0
nx "$NS_X" sysctl -qw net.ipv6.conf.all.forwarding=1 net.ipv4.ip_forward=1 \
    net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
    net.ipv6.conf.all.router_solicitations=0 net.ipv6.conf.default.router_solicitations=0
nx "$NS_R" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0

# client
nx "$NS_C" ip -6 addr add "$CLIENT6/64" dev c0 nodad
nx "$NS_C" ip link set c0 up
nx "$NS_C" ip -6 route add default via "$GW6" dev c0
# translator namespace
nx "$NS_X" ip -6 addr add "$GW6/64" dev x6 nodad
nx "$NS_X" ip addr add "$XLAT4/30" dev x4
nx "$NS_X" ip link set x6 up
nx "$NS_X" ip link set x4 up
nx "$NS_X" ip route add default via "$ROUTER4_X" dev x4
# router
nx "$NS_R" ip addr add "$ROUTER4_X/30" dev r0
nx "$NS_R" ip addr add "$ROUTER4_S/24" dev r1
nx "$NS_R" ip link set r0 up
nx "$NS_R" ip link set r1 up
nx "$NS_R" ip route add 192.0.2.0/24 via "$XLAT4" dev r0
# server
nx "$NS_S" ip addr add "$SERVER4/24" dev s0
nx "$NS_S" ip link set s0 up
nx "$NS_S" ip route add default via "$ROUTER4_S" dev s0

# ---------------------------------------------------------------------------------------------
# 3. The translator: Debian's tayga on a TUN device (plain routing as a fallback), or isthmus NAT64
# ---------------------------------------------------------------------------------------------
MODE=$TRANSLATOR
start_tayga() {
    [[ -x /usr/sbin/tayga && -c /dev/net/tun ]] || return 1
    cat >"$WORK/tayga.conf" <<EOF
tun-device nat64
ipv4-addr $TAYGA4
prefix $POOL6
map $CLIENT4 $CLIENT6
data-dir $WORK
EOF
    nx "$NS_X" /usr/sbin/tayga -c "$WORK/tayga.conf" --mktun >"$WORK/tayga-mktun.log" 2>&1 || return 1
    nx "$NS_X" ip link set nat64 up || return 1
    nx "$NS_X" ip route add 192.0.2.0/24 dev nat64 || return 1
    nx "$NS_X" ip -6 route add "$POOL6" dev nat64 || return 1
    nx "$NS_X" /usr/sbin/tayga -c "$WORK/tayga.conf" -d >"$WORK/tayga.log" 2>&1 &
    PIDS+=($!)
    sleep 1
    kill -0 "${PIDS[-1]}" 2>/dev/null
}
# isthmus NAT64 with examples/nat64.toml's [nat64] (the session log left out: a capture needs none);
# it adds the pool6 and pool4 routes into its device itself and logs "translating on" when ready.
start_isthmus_nat64() {
    { sed '/^\[nat64.log\]/,$d' "$HERE/nat64.toml"
      printf '\n[dataplane]\ndevice = "nat64"\nworkers = 1\noffload = false\n'
      printf '\n[control]\nsocket = "%s"\n' "$WORK/control.sock"
    } >"$WORK/nat64.toml"
    nx "$NS_X" "$HERE/../isthmus" run --config "$WORK/nat64.toml" >"$WORK/isthmus.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 600); do
        grep -q "translating on nat64" "$WORK/isthmus.log" && return 0
        kill -0 "${PIDS[-1]}" 2>/dev/null || break
        sleep 0.1
    done
    die "isthmus did not start: $(tail -n 5 "$WORK/isthmus.log")"
}
if [[ $MODE == isthmus-nat64 ]]; then
    start_isthmus_nat64
elif ! start_tayga; then
    # Fallback: no translation. The middle namespace routes both families natively so the capture
    # still holds the client's IPv6 requests towards pool6 and real IPv4 traffic from the server
    # side; replies to the client then come only from isx-xlat's own ICMPv6 (unreachable).
    MODE=routing
    log "tayga unavailable ($(tail -n 3 "$WORK"/tayga*.log 2>/dev/null | tr '\n' ' ')); falling back to plain routing"
    nx "$NS_X" ip link del nat64 2>/dev/null || true
    nx "$NS_X" ip route replace 192.0.2.0/24 dev x6 2>/dev/null || true
fi
log "translator mode: $MODE"

# ---------------------------------------------------------------------------------------------
# 4. Server applications (bounded lifetime)
# ---------------------------------------------------------------------------------------------
mkdir -p "$WORK/www"
cat >"$WORK/www/index.html" <<'EOF'
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>isthmus example server</title></head>
<body>
<h1>Hello from an IPv4-only server</h1>
<p>This page lives on 198.51.100.2. The client that fetched it has no IPv4 at all: it spoke
IPv6 to 2001:db8:64::c633:6402 and a SIIT translator rewrote every packet in between
(RFC 7915, RFC 6052, RFC 7757).</p>
</body>
</html>
EOF
nx "$NS_S" timeout 60 "$PY" -m http.server 8000 --bind "$SERVER4" --directory "$WORK/www" \
    >"$WORK/http.log" 2>&1 &
PIDS+=($!)

# A tiny authoritative DNS responder on 198.51.100.2:53/udp: answers A for any name with the
# server's address and AAAA with its pool6 form; everything else gets an empty NOERROR.
cat >"$WORK/dns.py" <<'EOF'
import socket, struct, sys
A = socket.inet_aton(sys.argv[2])
AAAA = socket.inet_pton(socket.AF_INET6, sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 53))
while True:
    q, peer = s.recvfrom(1500)
    if len(q) < 12:
        continue
    qid, flags, qd = struct.unpack("!HHH", q[:6])
    i = 12
    while i < len(q) and q[i] != 0:
        i += q[i] + 1
    qtype, qclass = struct.unpack("!HH", q[i + 1:i + 5])
    question = q[12:i + 5]
    rdata = A if qtype == 1 else AAAA if qtype == 28 else None
    ans = b"" if rdata is None else struct.pack("!HHHIH", 0xC00C, qtype, 1, 300, len(rdata)) + rdata
    hdr = struct.pack("!HHHHHH", qid, 0x8400 | (flags & 0x0100), 1, 1 if ans else 0, 0, 0)
    s.sendto(hdr + question + ans, peer)
EOF
nx "$NS_S" timeout 60 "$PY" "$WORK/dns.py" "$SERVER4" "$SERVER4" "$SERVER6" >"$WORK/dns.log" 2>&1 &
PIDS+=($!)

# Wait until the HTTP server listens (bounded).
for _ in $(seq 50); do
    nx "$NS_S" ss -ltn "sport = :8000" | grep -q LISTEN && break
    sleep 0.1
done

# ---------------------------------------------------------------------------------------------
# 5. Capture in the middle namespace
# ---------------------------------------------------------------------------------------------
IFX6=$(nx "$NS_X" cat /sys/class/net/x6/ifindex)
IFX4=$(nx "$NS_X" cat /sys/class/net/x4/ifindex)
# Input view: IPv6 received from the client on x6, IPv4 received from the IPv4 side on x4.
nx "$NS_X" timeout 90 tcpdump -Z root -i any -s 0 -U -n -w "$WORK/mixed.pcap" \
    "inbound and ((ifindex $IFX6 and ip6) or (ifindex $IFX4 and ip))" >"$WORK/tcpdump-in.log" 2>&1 &
PIDS+=($!)
# Reference output view: what left isx-xlat on the same two veths.
nx "$NS_X" timeout 90 tcpdump -Z root -i any -s 0 -U -n -w "$WORK/output.pcap" \
    "outbound and ((ifindex $IFX6 and ip6) or (ifindex $IFX4 and ip))" >"$WORK/tcpdump-out.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do
    grep -q "listening on" "$WORK/tcpdump-in.log" && grep -q "listening on" "$WORK/tcpdump-out.log" && break
    sleep 0.1
done
sleep 0.5

# ---------------------------------------------------------------------------------------------
# 6. Traffic (every step bounded; a failing step is reported, not fatal)
# ---------------------------------------------------------------------------------------------
step() { local what=$1; shift; log "$what"; "$@" >>"$WORK/traffic.log" 2>&1 || log "  (step exited $?)"; }

step "ping -6 -c 3 $SERVER6" \
    nx "$NS_C" timeout 10 ping -6 -n -c 3 -i 0.2 -W 2 "$SERVER6"
step "curl http://[$SERVER6]:8000/" \
    nx "$NS_C" timeout 10 curl -sS -g --max-time 5 -o "$WORK/fetched.html" "http://[$SERVER6]:8000/"
step "dig @$SERVER6 A www.example.test" \
    nx "$NS_C" timeout 10 dig -6 +tries=1 +time=2 @"$SERVER6" A www.example.test
step "traceroute -6 -n -q1 -m 6 $SERVER6 (UDP probes)" \
    nx "$NS_C" timeout 20 traceroute -6 -n -q 1 -w 1 -m 6 "$SERVER6"
step "ping -6 -c 1 -s 1400 $SERVER6" \
    nx "$NS_C" timeout 10 ping -6 -n -c 1 -s 1400 -W 2 "$SERVER6"
step "server: ping -c 2 $CLIENT4 (IPv4-originated, to the client's EAM alias)" \
    nx "$NS_S" timeout 10 ping -n -c 2 -i 0.2 -W 2 "$CLIENT4"
sleep 1

# ---------------------------------------------------------------------------------------------
# 7. Stop the capture and write the results
# ---------------------------------------------------------------------------------------------
for ((i=${#PIDS[@]}-1; i>=0; i--)); do kill -TERM "${PIDS[i]}" 2>/dev/null || true; done
for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
PIDS=()

log "----- traffic output -----"
cat "$WORK/traffic.log" >&2
if [[ -s $WORK/fetched.html ]]; then log "curl fetched $(wc -c <"$WORK/fetched.html") bytes"; fi
[[ -s $WORK/mixed.pcap ]] || die "capture is empty"
mkdir -p "$OUT_DIR"
cp "$WORK/mixed.pcap" "$OUT_PCAP"
[[ -s $WORK/output.pcap && $MODE != routing ]] && cp "$WORK/output.pcap" "$OUT_REF"
chmod 644 "$OUT_PCAP" "$OUT_REF" 2>/dev/null || true

log "----- $OUT_PCAP ($(wc -c <"$OUT_PCAP") bytes, mode $MODE) -----"
tcpdump -nn -r "$OUT_PCAP" -e 2>/dev/null
log "packets: $(tcpdump -nn -r "$OUT_PCAP" 2>/dev/null | wc -l)"
