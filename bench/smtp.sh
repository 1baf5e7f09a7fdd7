#!/usr/bin/env bash
# SMTP relay benchmark: isthmus's [smtp] relay against Postfix as a relay, in one run, on one
# topology, rows alternating round by round.
#
#   sudo bench/smtp.sh                          # REPS=1 round: 10,000 messages of 10 KB, 20 sessions
#   sudo REPS=1 MESSAGES=1000 bench/smtp.sh     # a smoke run
#
# Topology (namespaces made and removed here; traffic only between them):
#   client  2001:db8:6::2 ── 2001:db8:6::1  middle  198.51.100.1 ── 198.51.100.2  server
# The client is IPv6-only, the server IPv4-only: the relay in the middle takes the mail over IPv6
# and hands it on over IPv4. The client runs smtp-source (Postfix's test client), the server
# smtp-sink (Postfix's test server, every message dumped to a file: -d). Both relays send
# everything to the sink as their next hop (isthmus: smarthost; Postfix: relayhost), so that DNS
# is not measured, and both listen on [2001:db8:6::1]:25, one at a time.
#
# Rows:
#   isthmus   isthmus run with only [smtp]; its spool under WORK (fsync on every commit: always)
#   postfix   Debian's Postfix as a relay: its own config directory under WORK (postfix -c DIR
#             start), its queue under WORK (same filesystem as isthmus's spool), Postfix's default
#             fsync policy (cleanup fsyncs every queue file before its 250), no chroot, no DNS,
#             default_destination_concurrency_limit 20 as isthmus's per-destination-concurrency
#
# Figures per row, per round:
#   accepted/s    MESSAGES / the time smtp-source takes (-s SESSIONS -m MESSAGES -l SIZE): how fast
#                 the relay says 250 to DATA
#   delivered/s   MESSAGES / the time from smtp-source's start until the sink has them all
#   latency       from the 250 to DATA to the message's arrival in the sink, for probe messages a
#                 second client sends one at a time (every PROBE_MS) while smtp-source runs, so
#                 under load: median and 99th percentile, ms (the sink's file mtime minus the
#                 client's clock at the 250; one machine, one clock)
# Before the rounds each row gets a warm-up of 1,000 messages (the JIT, Postfix's caches).
#
# Needs: iproute2, postfix (smtp-source, smtp-sink, postfix), python3, JDK 25 and the packaged jar
# (./mvnw -pl app package -DskipTests; ISTHMUS_JAR overrides app/target/isthmus.jar).
# Environment: ROWS ("isthmus postfix"), REPS (1), MESSAGES (10000), SIZE (10240), SESSIONS (20), PROBE_MS (50),
# ISTHMUS_JAR, JAVA, WORK_PARENT (/var/tmp: a disk, not a tmpfs, so that fsync costs what it costs).
set -euo pipefail

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd -P)
root=$(cd "$here/.." && pwd -P)
REPS=${REPS:-1}; MESSAGES=${MESSAGES:-10000}; SIZE=${SIZE:-10240}; SESSIONS=${SESSIONS:-20}; PROBE_MS=${PROBE_MS:-50}
ISTHMUS_JAR=${ISTHMUS_JAR:-$root/app/target/isthmus.jar}
WORK_PARENT=${WORK_PARENT:-/var/tmp}
PY=/usr/bin/python3

P=sbench
NS_C=$P-client NS_X=$P-mid NS_S=$P-server
[ "$(id -u)" -eq 0 ] || { echo "smtp.sh: needs root (network namespaces)" >&2; exit 77; }
for tool in ip smtp-source smtp-sink postfix postconf setsid $PY; do
  command -v $tool >/dev/null || { echo "smtp.sh: $tool is not installed (Debian packages iproute2, postfix, python3)" >&2; exit 69; }
done
[ -f "$ISTHMUS_JAR" ] || { echo "smtp.sh: no $ISTHMUS_JAR (./mvnw -pl app package -DskipTests)" >&2; exit 66; }
JAVA=${JAVA:-$("$root/.ci/find-jdk")/bin/java}
WORK=$(mktemp -d "$WORK_PARENT/$P.XXXXXX")
chmod 755 "$WORK"
PIDS=()
POSTFIX_UP=

cleanup() {
  [ -z "$POSTFIX_UP" ] || ip netns exec $NS_X postfix -c "$WORK/postfix" stop >/dev/null 2>&1 || true
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
wait_tcp() {  # wait_tcp NS HOST PORT: true once something accepts there (30 s at most)
  for _ in $(seq 300); do nsx "$1" bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}
wait_closed() {  # wait_closed NS HOST PORT: true once nothing accepts there (10 s at most)
  for _ in $(seq 100); do nsx "$1" bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null || return 0; sleep 0.1; done
  return 1
}
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "n/a"; else print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
now() { date +%s.%N; }

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

# The sink: every message to its own file (smtp-sink -d; it runs as nobody, hence the mode).
mkdir -p "$WORK/sink"
chmod 777 "$WORK/sink"
bg $NS_S sink smtp-sink -u nobody -d "$WORK/sink/m." 198.51.100.2:25 1024
wait_tcp $NS_S 198.51.100.2 25 || { echo "smtp.sh: smtp-sink did not start:" >&2; cat "$WORK/sink.log" >&2; exit 1; }

# The probe: one message at a time, each "Subject: lat-N", until $WORK/stop exists; prints "N t250".
cat >"$WORK/probe.py" <<'PY'
import os, smtplib, sys, time
stop, interval, n = sys.argv[1], float(sys.argv[2]) / 1000, 0
while not os.path.exists(stop) and n < 100000:
    n += 1
    msg = 'From: <probe@client.bench>\r\nTo: <sink@dest.bench>\r\nSubject: lat-%d\r\n\r\nprobe\r\n' % n
    try:
        with smtplib.SMTP('2001:db8:6::1', 25, 'client.bench', timeout=30) as s:
            s.sendmail('probe@client.bench', ['sink@dest.bench'], msg)
            print(n, '%.6f' % time.time(), flush=True)
    except (OSError, smtplib.SMTPException) as e:
        print('probe %d: %s' % (n, e), file=sys.stderr)
    time.sleep(interval)
PY

# ------------------------------------------------------------------ the relays
mkdir -p "$WORK/isthmus-spool"
cat >"$WORK/isthmus.toml" <<CONF
[control]
socket = "/run/isthmus/$P.sock"

[smtp]
listen = ["[2001:db8:6::1]:25"]
hostname = "relay.bench"
allow = ["2001:db8:6::/64"]
spool = "$WORK/isthmus-spool"
smarthost = "198.51.100.2:25"
per-destination-concurrency = $SESSIONS
CONF
ISTHMUS_PID=
start_isthmus() {
  bg $NS_X isthmus "$JAVA" -jar "$ISTHMUS_JAR" run -c "$WORK/isthmus.toml"
  ISTHMUS_PID=${PIDS[-1]}
  wait_tcp $NS_C 2001:db8:6::1 25 || { echo "smtp.sh: isthmus did not start:" >&2; cat "$WORK/isthmus.log" >&2; return 1; }
}
stop_isthmus() {
  kill -TERM -- -"$ISTHMUS_PID" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$ISTHMUS_PID" 2>/dev/null || break; sleep 0.1; done
  wait_closed $NS_C 2001:db8:6::1 25
}

# The config directory holds only main.cf and master.cf (postfix-script wants everything under it
# owned by root); the queue and data directories are beside it, the data one owned by postfix.
PF=$WORK/postfix
mkdir -p "$PF" "$WORK/postfix-queue" "$WORK/postfix-data"
chown postfix "$WORK/postfix-data"
cat >"$PF/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $WORK/postfix-queue
data_directory = $WORK/postfix-data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = relay.bench
mydomain = bench
myorigin = relay.bench
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
inet_interfaces = 2001:db8:6::1, 198.51.100.1
inet_protocols = all
mynetworks = [2001:db8:6::]/64
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
relayhost = [198.51.100.2]:25
smtp_host_lookup = native
disable_dns_lookups = yes
default_destination_concurrency_limit = $SESSIONS
smtpd_banner = relay.bench ESMTP
maillog_file = $WORK/postfix-data/maillog
maillog_file_prefixes = $WORK
CONF
cat >"$PF/master.cf" <<'CONF'
smtp      inet  n       -       n       -       -       smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
CONF
start_postfix() {
  nsx $NS_X postfix -c "$PF" start >"$WORK/postfix.log" 2>&1 \
    || { echo "smtp.sh: postfix did not start:" >&2; cat "$WORK/postfix.log" "$WORK/postfix-data/maillog" >&2 2>/dev/null; return 1; }
  POSTFIX_UP=1
  wait_tcp $NS_C 2001:db8:6::1 25 || { echo "smtp.sh: postfix does not listen:" >&2; cat "$WORK/postfix-data/maillog" >&2; return 1; }
}
stop_postfix() {
  nsx $NS_X postfix -c "$PF" stop >>"$WORK/postfix.log" 2>&1 || true
  POSTFIX_UP=
  wait_closed $NS_C 2001:db8:6::1 25
}

sink_count() { find "$WORK/sink" -maxdepth 1 -name 'm.*' | wc -l; }
wait_sink() {  # wait_sink N: true once the sink holds N messages (120 s at most)
  for _ in $(seq 1200); do [ "$(sink_count)" -ge "$1" ] && return 0; sleep 0.1; done
  return 1
}

# run ROW COUNT: one measured batch; prints "accepted/s delivered/s median-ms p99-ms"
run() {
  local row=$1 count=$2 t0 t1 t2 probes
  find "$WORK/sink" -maxdepth 1 -name 'm.*' -delete
  rm -f "$WORK/stop"
  setsid ip netns exec $NS_C $PY "$WORK/probe.py" "$WORK/stop" "$PROBE_MS" >"$WORK/probe.out" 2>"$WORK/probe.err" &
  local probe=$!
  t0=$(now)
  nsx $NS_C smtp-source -6 -s "$SESSIONS" -m "$count" -l "$SIZE" -M client.bench -f sender@client.bench \
    -t sink@dest.bench "inet:[2001:db8:6::1]:25" >"$WORK/source-$row.log" 2>&1 \
    || { echo "smtp.sh: $row: smtp-source failed: $(tail -3 "$WORK/source-$row.log")" >&2; touch "$WORK/stop"; wait $probe; echo "0 0 n/a n/a"; return; }
  t1=$(now)
  touch "$WORK/stop"
  wait $probe || true
  probes=$(wc -l <"$WORK/probe.out")
  if ! wait_sink $((count + probes)); then
    echo "smtp.sh: $row: only $(sink_count) of $((count + probes)) messages reached the sink" >&2
    echo "$(awk -v n="$count" -v a="$t0" -v b="$t1" 'BEGIN {printf "%d", n / (b - a)}') 0 n/a n/a"
    return
  fi
  t2=$(stat -c '%.9Y' "$WORK"/sink/m.* | sort -n | tail -1)
  # Latency per probe: the sink file's mtime minus the client's time at the 250.
  local lat
  lat=$(grep -l '^Subject: lat-' "$WORK"/sink/m.* | while read -r f; do
      echo "$(grep -m1 '^Subject: lat-' "$f" | sed 's/^Subject: lat-//' | tr -d '\r') $(stat -c '%.9Y' "$f")"
    done | sort -k1,1 | join - <(sort -k1,1 "$WORK/probe.out") | awk '{printf "%.1f\n", ($2 - $3) * 1000}' | sort -n)
  local med p99
  med=$(median <<<"$lat")
  p99=$(awk '{a[NR]=$1} END {if (NR == 0) print "n/a"; else {i = int(NR * 0.99); if (i < 1) i = 1; print a[i]}}' <<<"$lat")
  awk -v n="$count" -v a="$t0" -v b="$t1" -v c="$t2" -v m="$med" -v p="$p99" \
    'BEGIN {printf "%d %d %s %s\n", n / (b - a), n / (c - a), m, p}'
}

declare -A acc del lmed lp99
read -r -a ROWS <<<"${ROWS:-isthmus postfix}"
NOTE=
for r in $(seq 0 "$REPS"); do
  for row in "${ROWS[@]}"; do
    if [ "$row" = isthmus ]; then start_isthmus || { NOTE+="isthmus did not start; "; continue; }; else start_postfix || { NOTE+="postfix did not start; "; continue; }; fi
    if [ "$r" -eq 0 ]; then
      run "$row" 1000 >/dev/null   # warm-up
    else
      read -r a d m p <<<"$(run "$row" "$MESSAGES")"
      acc[$row]+="$a "; del[$row]+="$d "; lmed[$row]+="$m "; lp99[$row]+="$p "
    fi
    if [ "$row" = isthmus ]; then stop_isthmus; else stop_postfix; fi
  done
  [ "$r" -eq 0 ] || echo "round $r of $REPS done" >&2
done

echo
echo "SMTP relay: $MESSAGES messages of $SIZE bytes, $SESSIONS sessions (smtp-source) from the IPv6-only client to smtp-sink on the IPv4-only server; median of $REPS"
echo "| row | accepted msg/s | delivered msg/s | 250 → delivered ms, median | p99 |"
echo "|---|---|---|---|---|"
for row in "${ROWS[@]}"; do
  if [ -z "${acc[$row]:-}" ]; then echo "| $row | not measured | | | |"; continue; fi
  echo "| $row | $(median <<<"${acc[$row]}") [${acc[$row]% }] | $(median <<<"${del[$row]}") [${del[$row]% }] | $(median <<<"${lmed[$row]}") | $(median <<<"${lp99[$row]}") |"
done
[ -z "$NOTE" ] || echo "($NOTE)"
