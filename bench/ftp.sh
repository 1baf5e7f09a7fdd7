#!/usr/bin/env bash
# FTP benchmark: the NAT64's FTP ALG (RFC 6384) against plain NAT64, and isthmus's FTP proxy
# against ProFTPD's mod_proxy, in one run, on one topology, rows alternating round by round.
#
#   sudo bench/ftp.sh                       # REPS=3 rounds of every row, a 1 GiB file
#   sudo REPS=1 SIZE_MB=64 bench/ftp.sh     # a smoke run
#
# Topology (namespaces made and removed here; traffic only between them):
#   client  2001:db8:6::2 ── 2001:db8:6::1  middle  198.51.100.1 ── 198.51.100.2  server
# The client is IPv6-only, the server IPv4-only. The middle runs isthmus twice: `isthmus run` with
# [nat64] (pool6 2001:db8:64::/96, pool4 192.0.2.2/32, alg-ftp-ports = [21]), so the client
# reaches the server as 2001:db8:64::c633:6402, and a second `isthmus run` with only [[ftp.proxy]]
# (so that a config the jar does not know yet leaves the NAT64 rows alone). The server runs
# vsftpd twice on one anonymous root: port 21 (followed by the ALG) and port 2121 (not followed).
#
# Rows, curl RETR of a SIZE_MB file to /dev/null (passive: EPSV, as any client over IPv6), MB/s:
#   nat64-alg      through the NAT64 to port 21: the ALG rewrites EPSV → PASV and 227 → 229
#   nat64-no-alg   through the NAT64 to port 2121: EPSV passes untouched (vsftpd supports it)
#   nat64-tcp      not FTP: one iperf3 stream of the same size, server → client (-R), through the NAT64
#   direct         curl in the middle straight to 198.51.100.2:2121 (no translation; the ceiling)
#   isthmus-proxy  [[ftp.proxy]] on [2001:db8:6::1]:2100 → 198.51.100.2:2121
#   proftpd-proxy  ProFTPD 1.3.8 mod_proxy (reverse) on [2001:db8:6::1]:2200 → 198.51.100.2:2121
# Setup latency per FTP row: curl's time to the first byte of a 1 KiB file (connect, greeting,
# login, EPSV, data connection, RETR), the median of SMALL fetches per round.
# Medians of REPS rounds, the raw values in brackets.
#
# ProFTPD's packages (proftpd-core, proftpd-mod-proxy) conflict with vsftpd's, so they are not
# installed: their .debs and those of the libraries proftpd links that are not installed here are
# fetched with `apt-get download` into PROFTPD_CACHE (once; /opt/proftpd-debs is used when it has
# them), unpacked with dpkg -x into the work directory and run from there (LD_LIBRARY_PATH,
# ModulePath).
#
# Needs: iproute2, curl, iperf3, jq, vsftpd, apt-get and dpkg (ProFTPD rows), JDK 25 and the
# packaged jar (./mvnw -pl app package -DskipTests; ISTHMUS_JAR overrides app/target/isthmus.jar).
# Environment: REPS (3), SIZE_MB (1024), SMALL (10), PROFTPD_CACHE (/var/cache/isthmus-bench/proftpd),
# ISTHMUS_JAR, PROXY_JAR (the jar of the isthmus-proxy row; ISTHMUS_JAR by default), JAVA.
set -euo pipefail

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd -P)
root=$(cd "$here/.." && pwd -P)
REPS=${REPS:-3}; SIZE_MB=${SIZE_MB:-1024}; SMALL=${SMALL:-10}
PROFTPD_CACHE=${PROFTPD_CACHE:-/var/cache/isthmus-bench/proftpd}
ISTHMUS_JAR=${ISTHMUS_JAR:-$root/app/target/isthmus.jar}
PROXY_JAR=${PROXY_JAR:-$ISTHMUS_JAR}

P=fbench
NS_C=$P-client NS_X=$P-mid NS_S=$P-server
SERVER6=2001:db8:64::c633:6402
WORK=$(mktemp -d /tmp/$P.XXXXXX)
chmod 755 "$WORK"   # vsftpd's and proftpd's unprivileged processes read below it
PIDS=()

[ "$(id -u)" -eq 0 ] || { echo "ftp.sh: needs root (network namespaces, TUN devices)" >&2; exit 77; }
for tool in ip curl iperf3 jq vsftpd setsid dpkg apt-get; do
  command -v $tool >/dev/null || { echo "ftp.sh: $tool is not installed" >&2; exit 69; }
done
[ -f "$ISTHMUS_JAR" ] || { echo "ftp.sh: no $ISTHMUS_JAR (./mvnw -pl app package -DskipTests)" >&2; exit 66; }
JAVA=${JAVA:-$("$root/.ci/find-jdk")/bin/java}

cleanup() {
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill -TERM -- -"$pid" 2>/dev/null || true; done
  sleep 0.5
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill -KILL -- -"$pid" 2>/dev/null || true; done
  for ns in $NS_C $NS_X $NS_S; do ip netns del $ns 2>/dev/null || true; done
  rm -f /run/isthmus/$P.*
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
bg() {  # bg NS NAME CMD...: in the background, in a session of its own; the log is $WORK/NAME.log
  local ns=$1 log=$2; shift 2
  setsid ip netns exec "$ns" "$@" >"$WORK/$log.log" 2>&1 &
  PIDS+=($!)
}
wait_tcp() {  # wait_tcp NS HOST PORT: true once something accepts there (20 s at most)
  for _ in $(seq 200); do nsx "$1" bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "n/a"; else print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

# ------------------------------------------------------------------ ProFTPD, unpacked
proftpd_unpack() {  # sets PROFTPD_ROOT, or leaves it empty with a reason on stderr
  PROFTPD_ROOT=
  local pkgs=(proftpd-core proftpd-mod-proxy libhiredis0.14 libmemcached11 libmemcachedutil2 libhashkit2 libpcre2-posix3)
  mkdir -p "$PROFTPD_CACHE"
  cp -n /opt/proftpd-debs/*.deb "$PROFTPD_CACHE/" 2>/dev/null || true
  local p missing=()
  for p in "${pkgs[@]}"; do ls "$PROFTPD_CACHE/${p}_"*.deb >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    (cd "$PROFTPD_CACHE" && apt-get download "${missing[@]}" >/dev/null 2>&1) \
      || { echo "ftp.sh: apt-get download ${missing[*]} failed: no ProFTPD rows" >&2; return 0; }
  fi
  for p in "${pkgs[@]}"; do dpkg -x "$(ls "$PROFTPD_CACHE/${p}_"*.deb | head -1)" "$WORK/proftpd"; done
  PROFTPD_ROOT=$WORK/proftpd
}

# ------------------------------------------------------------------ the lab
for ns in $NS_C $NS_X $NS_S; do ip netns add $ns; nsx $ns ip link set lo up; done
for ns in $NS_C $NS_X $NS_S; do nsx $ns sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0; done
ip link add c6 netns $NS_C type veth peer name x6 netns $NS_X
ip link add s4 netns $NS_S type veth peer name x4 netns $NS_X
nsx $NS_C ip -6 addr add 2001:db8:6::2/64 dev c6 nodad
nsx $NS_X ip -6 addr add 2001:db8:6::1/64 dev x6 nodad
nsx $NS_X ip -4 addr add 198.51.100.1/24 dev x4
nsx $NS_S ip -4 addr add 198.51.100.2/24 dev s4
for pair in "$NS_C c6" "$NS_X x6" "$NS_X x4" "$NS_S s4"; do set -- $pair; nsx "$1" ip link set "$2" up; done
nsx $NS_C ip -6 route add default via 2001:db8:6::1
nsx $NS_S ip -4 route add default via 198.51.100.1
nsx $NS_S sysctl -qw net.ipv6.conf.all.disable_ipv6=1
nsx $NS_X sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

# The server: one anonymous root (vsftpd refuses a root its anonymous user can write to).
mkdir -p "$WORK/root"
chmod 755 "$WORK/root"
head -c $((SIZE_MB << 20)) /dev/urandom >"$WORK/root/big.bin"
head -c 1024 /dev/urandom >"$WORK/root/small.bin"
for port in 21 2121; do
  cat >"$WORK/vsftpd-$port.conf" <<CONF
listen=YES
listen_ipv6=NO
listen_address=198.51.100.2
listen_port=$port
background=NO
seccomp_sandbox=NO
secure_chroot_dir=/var/run/vsftpd/empty
anonymous_enable=YES
local_enable=NO
no_anon_password=YES
anon_root=$WORK/root
pasv_min_port=$((port * 10 + 30000))
pasv_max_port=$((port * 10 + 30009))
max_clients=64
CONF
  bg $NS_S vsftpd-$port vsftpd "$WORK/vsftpd-$port.conf"
done
# The non-FTP stream.
bg $NS_S iperf3 iperf3 -s -B 198.51.100.2 -p 5201

cat >"$WORK/nat64.toml" <<CONF
[nat64]
pool6 = "2001:db8:64::/96"
alg-ftp-ports = [21]

[[nat64.pool4]]
prefix = "192.0.2.2/32"

[dataplane]
device = "$P"
workers = 0
manage-routes = true
offload = true

[control]
socket = "/run/isthmus/$P.sock"
CONF
bg $NS_X nat64 "$JAVA" -jar "$ISTHMUS_JAR" run -c "$WORK/nat64.toml"

cat >"$WORK/proxy.toml" <<CONF
[control]
socket = "/run/isthmus/$P-proxy.sock"

[[ftp.proxy]]
name = "bench"
listen = "[2001:db8:6::1]:2100"
connect = "198.51.100.2:2121"
allow = ["2001:db8:6::/64"]
CONF
bg $NS_X isthmus-proxy "$JAVA" -jar "$PROXY_JAR" run -c "$WORK/proxy.toml"

proftpd_unpack
if [ -n "$PROFTPD_ROOT" ]; then
  mkdir -p "$WORK/proftpd-run"
  cat >"$WORK/proftpd.conf" <<CONF
ServerType standalone
ServerName "bench"
UseIPv6 on
DefaultAddress 2001:db8:6::1
Port 2200
User nobody
Group nogroup
MaxInstances 64
PidFile $WORK/proftpd-run/proftpd.pid
ScoreboardFile $WORK/proftpd-run/proftpd.scoreboard
# mod_delay pads USER/PASS replies against timing attacks; off, as the other rows have no such pad.
DelayEngine off
WtmpLog off
UseReverseDNS off
ModulePath $PROFTPD_ROOT/usr/lib/proftpd
LoadModule mod_proxy.c
ProxyEngine on
ProxyRole reverse
ProxyTables $WORK/proftpd-run
ProxyReverseServers ftp://198.51.100.2:2121
ProxySourceAddress 198.51.100.1
ProxyLog $WORK/proftpd-proxy.log
CONF
  # mod_proxy calls OpenSSL, which Debian's proftpd gets from mod_tls (another package, not
  # needed here): the system's libssl is preloaded instead.
  bg $NS_X proftpd env LD_LIBRARY_PATH="$PROFTPD_ROOT/usr/lib/x86_64-linux-gnu" LD_PRELOAD=libssl.so.3 \
    "$PROFTPD_ROOT/usr/sbin/proftpd" -n -q -c "$WORK/proftpd.conf"
fi

wait_tcp $NS_S 198.51.100.2 21 && wait_tcp $NS_S 198.51.100.2 2121 && wait_tcp $NS_S 198.51.100.2 5201 \
  || { echo "ftp.sh: the servers did not start:" >&2; cat "$WORK"/vsftpd-*.log "$WORK/iperf3.log" >&2; exit 1; }
for _ in $(seq 600); do grep -q "control socket listening" "$WORK/nat64.log" && break; sleep 0.1; done
grep -q "control socket listening" "$WORK/nat64.log" || { echo "ftp.sh: isthmus [nat64] did not start:" >&2; cat "$WORK/nat64.log" >&2; exit 1; }

declare -A ENDPOINT=(
  [nat64-alg]="$NS_C ftp://[$SERVER6]:21"
  [nat64-no-alg]="$NS_C ftp://[$SERVER6]:2121"
  [direct]="$NS_X ftp://198.51.100.2:2121"
  [isthmus-proxy]="$NS_C ftp://[2001:db8:6::1]:2100"
  [proftpd-proxy]="$NS_C ftp://[2001:db8:6::1]:2200"
)
ROWS=(direct nat64-tcp nat64-alg nat64-no-alg)
PROXY_NOTE=
if wait_tcp $NS_X 2001:db8:6::1 2100; then
  ROWS+=(isthmus-proxy)
else
  PROXY_NOTE="isthmus-proxy: not measured, isthmus did not start with [[ftp.proxy]]: $(head -1 "$WORK/isthmus-proxy.log")"
fi
if [ -n "$PROFTPD_ROOT" ] && wait_tcp $NS_X 2001:db8:6::1 2200; then
  ROWS+=(proftpd-proxy)
else
  PROXY_NOTE+="${PROXY_NOTE:+; }proftpd-proxy: not measured: $(tail -3 "$WORK/proftpd.log" 2>/dev/null | tr '\n' ' ')"
fi

mbps() {  # mbps ROW: MB/s of one RETR of big.bin (nat64-tcp: of one iperf3 stream as long)
  local row=$1 ns url bytes t0 t1
  if [ "$row" = nat64-tcp ]; then
    local json
    json=$(nsx $NS_C iperf3 -c $SERVER6 -p 5201 -R -n "${SIZE_MB}M" -J || true)
    jq -e '.end.sum_received.seconds' <<<"$json" >/dev/null 2>&1 \
      || { echo "ftp.sh: iperf3 failed: $(jq -r .error <<<"$json" 2>/dev/null)" >&2; echo 0; return; }
    jq '.end.sum_received.bytes / .end.sum_received.seconds / 1e6 | floor' <<<"$json"
    return
  fi
  read -r ns url <<<"${ENDPOINT[$row]}"
  local out
  out=$(nsx $ns curl -sS -g --max-time 300 -o /dev/null -w '%{size_download} %{speed_download}' "$url/big.bin") \
    || { echo "ftp.sh: $row: curl failed" >&2; echo 0; return; }
  read -r bytes speed <<<"$out"
  [ "$bytes" -eq $((SIZE_MB << 20)) ] || { echo "ftp.sh: $row: $bytes bytes" >&2; echo 0; return; }
  awk -v s="$speed" 'BEGIN { printf "%d", s / 1e6 }'
}
ttfb() {  # ttfb ROW: median ms to the first byte of small.bin over SMALL fetches
  local row=$1 ns url all=
  read -r ns url <<<"${ENDPOINT[$row]}"
  for _ in $(seq "$SMALL"); do
    local t
    t=$(nsx $ns curl -sS -g --max-time 10 -o /dev/null -w '%{time_starttransfer}' "$url/small.bin") \
      || { echo "ftp.sh: $row: curl failed" >&2; continue; }
    all+="$(awk -v t="$t" 'BEGIN {printf "%.2f", t * 1000}') "
  done
  median <<<"$all"
}

# Warm-up: the JIT compiles isthmus's paths before anything is measured.
for row in "${ROWS[@]}"; do [ "$row" = nat64-tcp ] || ttfb "$row" >/dev/null; done
mbps nat64-alg >/dev/null

declare -A speed setup
for r in $(seq "$REPS"); do
  for row in "${ROWS[@]}"; do
    speed[$row]+="$(mbps "$row") "
    [ "$row" = nat64-tcp ] || setup[$row]+="$(ttfb "$row") "
  done
  echo "round $r of $REPS done" >&2
done

echo
echo "FTP RETR of $SIZE_MB MiB (curl, passive) and setup latency (time to the first byte of 1 KiB), median of $REPS"
echo "| row | MB/s | first byte ms |"
echo "|---|---|---|"
for row in direct nat64-tcp nat64-alg nat64-no-alg isthmus-proxy proftpd-proxy; do
  if [[ " ${ROWS[*]} " != *" $row "* ]]; then
    echo "| $row | not measured | not measured |"
    continue
  fi
  s="${speed[$row]% }"
  if [ "$row" = nat64-tcp ]; then
    echo "| $row | $(median <<<"$s") [$s] | – |"
  else
    echo "| $row | $(median <<<"$s") [$s] | $(median <<<"${setup[$row]% }") [${setup[$row]% }] |"
  fi
done
[ -z "$PROXY_NOTE" ] || echo "($PROXY_NOTE)"
