#!/usr/bin/env bash
# SIP proxy and media relay benchmark (issue 22): isthmus's [sip] proxy and media relay against
# Kamailio with rtpengine, in one run, on one topology, rows alternating round by round.
#
#   sudo bench/sip.sh                                      # REPS=1 round of each row
#   sudo ROWS=kamailio RATES="50 100" MEDIA_CALLS=10 bench/sip.sh   # a smoke run
#
# Topology (namespaces made and removed here, bench/topology.sh; traffic only between them):
#   client  2001:db8:6::2 ── 2001:db8:6::1  middle  198.51.100.1 ── 198.51.100.2  server
# The client is IPv6-only, the server IPv4-only. A sipp UAC in the client sends every INVITE to
# the proxy in the middle ([2001:db8:6::1]:5060, sipp's remote host) with the Request-URI
# sip:service@198.51.100.2:5060 (sipp's -key target), no registration; the proxy forwards it over IPv4 to a sipp UAS
# in the server, which answers. The proxy Record-Routes, so ACK and BYE go through it too, and
# its media relay rewrites the SDP so that each side sees only the relay's address in its own
# family: every call checks that (the UAS fails a call whose offer does not say
# c=IN IP4 198.51.100.1, the UAC one whose answer does not say c=IN IP6 2001:db8:6::1).
#
# Rows:
#   kamailio  Debian's Kamailio as a stateful proxy (tm, sl, rr with enable_double_rr, maxfwd,
#             textops, siputils, pv) with its rtpengine module, and Debian's rtpengine daemon in
#             user space (--table=-1: no kernel forwarding) with the interfaces
#             v4/198.51.100.1 and v6/2001:db8:6::1; the config (under WORK) picks the two
#             interfaces and the SDP's address family per call leg from the INVITE's family and
#             the Request-URI host's, which is the bridge the operator has to script there.
#             --delete-delay=0, so that rtpengine frees a call's ports at its BYE as isthmus does.
#   isthmus   isthmus run with only [sip] and [sip.media] (the two listen addresses, allow, the
#             relay addresses and ports 30000-39999), as in issue 22. A jar without [sip] fails
#             to start ("unknown section"), and the row says so and is left out.
#
# Figures per row, per round:
#   calls/s      signalling: steps of RATES calls/s (sipp -r), each STEP_S seconds of calls
#                (-m rate × STEP_S), every call INVITE (with an SDP offer, so the relay allocates)
#                / 200 (answer) / ACK / SIG_HOLD_MS ms / BYE / 200, no media; the highest step
#                that ends with every call successful, none failed, and at least 80 % of its rate
#                carried (successful calls over the step's wall time). The steps stop at the first
#                step that is not so. sipp's UDP retransmissions (T1 = 500 ms) are counted too.
#   CPU/call     the proxy's and relay's CPU time (utime + stime from /proc/PID/stat of all their
#                processes: kamailio's and rtpengine's; isthmus's JVM) over that step, per call
#   RTP pkt/s    media: MEDIA_CALLS concurrent calls (set up at MEDIA_RATE calls/s), each with a
#                G.711 A-law 20 ms stream both ways: the UAC plays it (sipp's rtp_stream action
#                over the payloads of sipp's packaged g711a.pcap, looped) and the UAS echoes it
#                (-rtp_echo). Once every call is up, for WINDOW seconds with no signalling: the UDP
#                datagrams the middle namespace received and sent (/proc/net/snmp and snmp6 there),
#                per second; the expected rate is 100 × MEDIA_CALLS received.
#   CPU/packet   the relay's CPU time over that window (rtpengine's; isthmus's JVM) per datagram
#                it received, µs
# Rows alternate within each round; before the rounds each row gets a warm-up of 200 calls at
# 20/s (the JIT, the caches; the media path warms up in the media run's ramp, before its window).
# A row that does not start is reported and left out of the later rounds.
#
# Needs: iproute2, sip-tester (sipp 3.6 with RTPSTREAM), kamailio and rtpengine-daemon (installed
# here from Debian when missing; their system services are kept from starting and are never used:
# both run inside the middle namespace on configs of this script), python3, JDK 25 and the
# packaged jar (./mvnw -pl app package -DskipTests; ISTHMUS_JAR overrides app/target/isthmus.jar).
# Environment: ROWS ("kamailio isthmus"), REPS (1), RATES ("50 100 150 … 400 500 600 800 … 3200"),
# STEP_S (10), SIG_HOLD_MS (100), MEDIA_CALLS (100), MEDIA_RATE (50), WINDOW (10), KAMAILIO_CHILDREN (4),
# ISTHMUS_JAR, JAVA, KEEP_WORK (1: keep the work directory and its logs).
set -euo pipefail

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd -P)
root=$(cd "$here/.." && pwd -P)
REPS=${REPS:-1}; RATES=${RATES:-50 100 150 200 250 300 350 400 500 600 800 1000 1200 1600 2000 2500 3200}; STEP_S=${STEP_S:-10}; SIG_HOLD_MS=${SIG_HOLD_MS:-100}
MEDIA_CALLS=${MEDIA_CALLS:-100}; MEDIA_RATE=${MEDIA_RATE:-50}; WINDOW=${WINDOW:-10}
KAMAILIO_CHILDREN=${KAMAILIO_CHILDREN:-4}
ISTHMUS_JAR=${ISTHMUS_JAR:-$root/app/target/isthmus.jar}
KEEP_WORK=${KEEP_WORK:-}
PCAP=/usr/share/sip-tester/g711a.pcap
PY=/usr/bin/python3

P=sipbench
NS_C=$P-client NS_X=$P-mid NS_S=$P-server
[ "$(id -u)" -eq 0 ] || { echo "sip.sh: needs root (network namespaces)" >&2; exit 77; }

# Kamailio and rtpengine are bench-only: installed here, not by .ci/install-packages. A
# policy-rc.d that says no keeps their packages' services from starting, and they stay disabled.
if ! command -v kamailio >/dev/null || ! command -v rtpengine >/dev/null; then
  echo "sip.sh: installing kamailio and rtpengine-daemon (Debian)" >&2
  policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; policy=1; fi
  timeout 300 apt-get update -q >&2 || true
  DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q --no-install-recommends kamailio rtpengine-daemon >&2 || true
  [ -z "$policy" ] || rm -f /usr/sbin/policy-rc.d
  if [ -d /run/systemd/system ]; then systemctl disable --now kamailio rtpengine-daemon >/dev/null 2>&1 || true; fi
fi
for tool in ip ss sipp kamailio rtpengine setsid timeout $PY; do
  command -v $tool >/dev/null || { echo "sip.sh: $tool is not installed (Debian packages iproute2, sip-tester, kamailio, rtpengine-daemon, python3)" >&2; exit 69; }
done
[ -f "$PCAP" ] || { echo "sip.sh: no $PCAP (Debian package sip-tester)" >&2; exit 69; }
read -r -a ROWS <<<"${ROWS:-kamailio isthmus}"
if [[ " ${ROWS[*]} " == *" isthmus "* ]]; then
  [ -f "$ISTHMUS_JAR" ] || { echo "sip.sh: no $ISTHMUS_JAR (./mvnw -pl app package -DskipTests)" >&2; exit 66; }
  JAVA=${JAVA:-$("$root/.ci/find-jdk")/bin/java}
fi
WORK=$(mktemp -d "/tmp/$P.XXXXXX")
chmod 755 "$WORK"
PIDS=()
HZ=$(getconf CLK_TCK)

# shellcheck source=bench/topology.sh
. "$here/topology.sh"

cleanup() {
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill -TERM -- -"$pid" 2>/dev/null || true; done
  sleep 0.5
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill -KILL -- -"$pid" 2>/dev/null || true; done
  topology_down
  rm -f /run/isthmus/$P.*
  if [ -n "$KEEP_WORK" ]; then echo "sip.sh: logs kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bg() {  # bg NS NAME CMD...: in the background, in a session of its own; the log is $WORK/NAME.log
  local ns=$1 log=$2; shift 2
  setsid ip netns exec "$ns" "$@" >"$WORK/$log.log" 2>&1 &
  PIDS+=($!)
}
# wait_udp NS ADDR:PORT PID: true once a UDP socket is bound there (60 s at most); false at once
# when PID (the session that should bind it) has ended.
wait_udp() {
  for _ in $(seq 600); do
    [ -n "$(nsx "$1" ss -Hlun "src $2")" ] && return 0
    kill -0 "$3" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "n/a"; else print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
now() { date +%s.%N; }
# cpu SID...: the CPU ticks (utime + stime) of every process now in these sessions (0 for one
# that ends meanwhile)
cpu() {
  local sid pid total=0
  for sid in "$@"; do
    for pid in $(ps -o pid= -s "$sid" 2>/dev/null); do
      total=$((total + $(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{t = $12 + $13} END {print t + 0}')))
    done
  done
  echo $total
}
# udp: "received sent" UDP datagrams (IPv4 + IPv6) of the middle namespace so far
udp() {
  nsx $NS_X cat /proc/net/snmp /proc/net/snmp6 | awk '
    /^Udp: [0-9]/ {i += $2; o += $5}
    $1 == "Udp6InDatagrams" {i += $2}
    $1 == "Udp6OutDatagrams" {o += $2}
    END {print i, o}'
}

# ------------------------------------------------------------------ the lab
topology_up

# The media: the A-law payloads of sipp's packaged g711a.pcap (30 ms packets there) as one raw
# file, which sipp's rtp_stream plays as PCMA in 20 ms packets of 160 bytes, looped.
$PY - "$PCAP" "$WORK/g711a.raw" <<'PY'
import struct, sys
data, out = open(sys.argv[1], 'rb').read(), bytearray()
assert struct.unpack('<I', data[:4])[0] == 0xa1b2c3d4, 'not a little-endian pcap'
off = 24
while off + 16 <= len(data):
    incl = struct.unpack('<I', data[off + 8:off + 12])[0]
    frame, off = data[off + 16:off + 16 + incl], off + 16 + incl
    if frame[12:14] != b'\x08\x00' or frame[23] != 17:   # Ethernet II, IPv4, UDP
        continue
    rtp = frame[14 + (frame[14] & 0x0f) * 4 + 8:]
    if len(rtp) > 12 and rtp[0] >> 6 == 2 and rtp[1] & 0x7f == 8:   # RTP version 2, PT 8 (PCMA)
        out += rtp[12 + (rtp[0] & 0x0f) * 4:]
open(sys.argv[2], 'wb').write(out)
PY

# The scenarios. The UAC's calls: INVITE with an offer, 200 (its Record-Route kept: rrs), ACK and
# BYE along the route set to the UAS's Contact, HOLD ms between; MEDIA is empty or the rtp_stream.
uac_scenario() {  # uac_scenario FILE HOLD_MS MEDIA_ACTION
  cat >"$1" <<XML
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="bench uac">
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[target] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:bench@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[target]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:bench@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=- [pid][call_number] 1 IN IP[local_ip_type] [media_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [rtpstream_audio_port] RTP/AVP 8
      a=rtpmap:8 PCMA/8000
      a=ptime:20
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rrs="true" rtd="true">
    <action><ereg regexp="c=IN IP6 2001:db8:6::1" search_in="body" check_it="true" assign_to="relay"/></action>
  </recv>
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:bench@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[target]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      [routes]
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  $3
  <pause milliseconds="$2"/>
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:bench@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[target]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 BYE
      [routes]
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200" crlf="true"/>
  <Reference variables="relay"/>
</scenario>
XML
}
# The UAS answers with an SDP at its one echo port (-mp), the INVITE's Record-Route copied back.
cat >"$WORK/uas.xml" <<'XML'
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="bench uas">
  <recv request="INVITE" crlf="true">
    <action><ereg regexp="c=IN IP4 198\.51\.100\.1" search_in="body" check_it="true" assign_to="relay"/></action>
  </recv>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      [last_Record-Route:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=- [pid][call_number] 1 IN IP[local_ip_type] [media_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 8
      a=rtpmap:8 PCMA/8000
      a=ptime:20
    ]]>
  </send>
  <!-- optional: the proxy's workers may pass the BYE on before the ACK (UDP keeps no order, and the ACK of a 2xx is a transaction of its own) -->
  <recv request="ACK" crlf="true" optional="true"/>
  <recv request="BYE" timeout="120000"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
    ]]>
  </send>
  <Reference variables="relay"/>
</scenario>
XML
# sipp's watchdog ends sipp after 120 late turns of its loop by default: on a shared machine that
# is noise, not a failure (a late answer shows as a retransmission or a failed call instead).
WATCHDOG=(-watchdog_minor_maxtriggers 1000000000 -watchdog_major_maxtriggers 1000000000)
UAS_SID='' UAS_LOG=''
start_uas() {  # start_uas NAME: a UAS of the row's own, so that no call left over from one row reaches the next
  bg $NS_S "uas-$1" sipp -sf "$WORK/uas.xml" -i 198.51.100.2 -p 5060 -mi 198.51.100.2 -mp 6000 -rtp_echo \
    -nostdin "${WATCHDOG[@]}" -trace_err -error_file "$WORK/uas-$1-errors.log"
  UAS_SID=${PIDS[-1]} UAS_LOG=$WORK/uas-$1
  wait_udp $NS_S 198.51.100.2:5060 "$UAS_SID" || { echo "sip.sh: the sipp UAS did not start:" >&2; cat "$UAS_LOG.log" >&2; exit 1; }
}
uas_alive() {
  kill -0 "$UAS_SID" 2>/dev/null && return 0
  echo "sip.sh: the sipp UAS has ended (see $UAS_LOG.log):" >&2
  grep -v '^\s*$' "$UAS_LOG-errors.log" 2>/dev/null | tail -n 3 >&2
  return 1
}

# ------------------------------------------------------------------ the proxies
RELAY_SIDS=()   # the sessions whose CPU counts for the media relay
PROXY_SIDS=()   # all the row's sessions (proxy and relay), for the signalling

# Kamailio: the INVITE's family picks the caller's interface, the Request-URI host's family the
# callee's; rtpengine_manage then makes the offer toward the callee in the callee's family and
# (in the reply route, with the AVPs the transaction kept) the answer toward the caller in the
# caller's. The answer carries no direction: rtpengine keeps the offer's pair of interfaces, and
# a direction there would be read from the answerer's side (the callee's interface first). rr's double Record-Route gives each side the proxy in its own family.
cat >"$WORK/kamailio.cfg" <<CONF
#!KAMAILIO
debug=1
log_stderror=yes
children=$KAMAILIO_CHILDREN
auto_aliases=no
dns=no
rev_dns=no
disable_tcp=yes
listen=udp:[2001:db8:6::1]:5060
listen=udp:198.51.100.1:5060

mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "pv.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "rtpengine.so"
modparam("rr", "enable_double_rr", 1)
modparam("rtpengine", "rtpengine_sock", "udp:127.0.0.1:2223")

request_route {
  if (!(src_ip == 2001:db8:6::/64 || src_ip == 198.51.100.0/24)) { sl_send_reply("403", "Forbidden"); exit; }
  if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
  if (has_totag()) {
    if (loose_route()) {
      if (is_method("BYE")) rtpengine_manage();
      route(RELAY);
    }
    if (is_method("ACK") && t_check_trans()) route(RELAY);
    if (!is_method("ACK")) sl_send_reply("404", "Not here");
    exit;
  }
  if (is_method("CANCEL")) { if (t_check_trans()) route(RELAY); exit; }
  if (!is_method("ACK")) t_check_trans();
  remove_hf("Route");
  if (is_method("INVITE")) {
    record_route();
    if (af == INET6) { \$avp(in) = "v6"; \$avp(in_af) = "IP6"; } else { \$avp(in) = "v4"; \$avp(in_af) = "IP4"; }
    if (\$rd =~ ":") { \$avp(out) = "v6"; \$avp(out_af) = "IP6"; } else { \$avp(out) = "v4"; \$avp(out_af) = "IP4"; }
    if (has_body("application/sdp"))
      rtpengine_manage("direction=\$avp(in) direction=\$avp(out) address-family=\$avp(out_af) replace-origin replace-session-connection");
    t_on_reply("ANSWER");
  }
  route(RELAY);
}

route[RELAY] {
  if (!t_relay()) sl_reply_error();
  exit;
}

onreply_route[ANSWER] {
  if (has_body("application/sdp"))
    rtpengine_manage("address-family=\$avp(in_af) replace-origin replace-session-connection");
}
CONF
mkdir -p "$WORK/kamailio-run"
start_kamailio() {
  bg $NS_X rtpengine rtpengine --config-file=none --table=-1 --foreground --log-stderr --log-level=4 \
    --interface=v4/198.51.100.1 --interface=v6/2001:db8:6::1 --listen-ng=127.0.0.1:2223 \
    --port-min=30000 --port-max=39999 --delete-delay=0
  RELAY_SIDS=("${PIDS[-1]}")
  wait_udp $NS_X 127.0.0.1:2223 "${PIDS[-1]}" || { echo "sip.sh: rtpengine did not start:" >&2; tail -20 "$WORK/rtpengine.log" >&2; return 1; }
  bg $NS_X kamailio kamailio -f "$WORK/kamailio.cfg" -DD -E -Y "$WORK/kamailio-run" -w "$WORK/kamailio-run" -m 256 -M 16
  PROXY_SIDS=("${PIDS[-1]}" "${RELAY_SIDS[@]}")
  wait_udp $NS_X 198.51.100.1:5060 "${PIDS[-1]}" && wait_udp $NS_X '[2001:db8:6::1]:5060' "${PIDS[-1]}" \
    || { echo "sip.sh: kamailio did not start:" >&2; tail -20 "$WORK/kamailio.log" >&2; return 1; }
}

cat >"$WORK/isthmus.toml" <<CONF
[control]
socket = "/run/isthmus/$P.sock"

[sip]
listen = ["[2001:db8:6::1]:5060", "198.51.100.1:5060"]
allow = ["2001:db8:6::/64", "198.51.100.0/24"]

[sip.media]
ipv4 = "198.51.100.1"
ipv6 = "2001:db8:6::1"
ports = "30000-39999"
CONF
start_isthmus() {
  bg $NS_X isthmus "$JAVA" -jar "$ISTHMUS_JAR" run --config "$WORK/isthmus.toml"
  RELAY_SIDS=("${PIDS[-1]}")
  PROXY_SIDS=("${PIDS[-1]}")
  wait_udp $NS_X '[2001:db8:6::1]:5060' "${PIDS[-1]}" && wait_udp $NS_X 198.51.100.1:5060 "${PIDS[-1]}" \
    || { echo "sip.sh: isthmus did not start (a jar without [sip]?):" >&2; tail -20 "$WORK/isthmus.log" >&2; return 1; }
}

stop_row() {  # ends the row's sessions and the UAS, and waits until port 5060 is free again
  local sid
  for sid in "${PROXY_SIDS[@]}" "${RELAY_SIDS[@]}" $UAS_SID; do kill -TERM -- -"$sid" 2>/dev/null || true; done
  for sid in "${PROXY_SIDS[@]}" "${RELAY_SIDS[@]}" $UAS_SID; do
    for _ in $(seq 100); do kill -0 "$sid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- -"$sid" 2>/dev/null || true
  done
  for _ in $(seq 100); do [ -z "$(nsx $NS_X ss -Hlun 'sport = :5060')" ] && break; sleep 0.1; done
  for _ in $(seq 100); do [ -z "$(nsx $NS_S ss -Hlun 'sport = :5060')" ] && break; sleep 0.1; done
  PROXY_SIDS=(); RELAY_SIDS=(); UAS_SID=
}

# ------------------------------------------------------------------ the runs
uac_scenario "$WORK/uac-signalling.xml" "$SIG_HOLD_MS" ""
HOLD_MS=$(( (MEDIA_CALLS * 1000 / MEDIA_RATE) + (WINDOW + 6) * 1000 ))
uac_scenario "$WORK/uac-media.xml" $HOLD_MS \
  "<nop><action><exec rtp_stream=\"$WORK/g711a.raw,-1,8\"/></action></nop>"

# uac NAME SCENARIO RATE CALLS LIMIT SECONDS: sipp's UAC in the client, bounded by -m CALLS and by
# SECONDS (sipp's -timeout, and timeout(1) ten seconds later); its statistics in $WORK/NAME.csv
uac() {
  local name=$1 sf=$2 rate=$3 calls=$4 limit=$5 secs=$6
  rm -f "$WORK/$name.csv"
  (cd "$WORK" && nsx $NS_C timeout $((secs + 10)) sipp -sf "$sf" -s service -key target 198.51.100.2:5060 \
    '[2001:db8:6::1]:5060' -i 2001:db8:6::2 -p 5060 -mi 2001:db8:6::2 \
    -r "$rate" -m "$calls" -l "$limit" -timeout "${secs}s" -timeout_error -nostdin "${WATCHDOG[@]}" \
    -trace_stat -stf "$WORK/$name.csv" -fd 1 -trace_err -error_file "$WORK/$name-errors.log" \
    >"$WORK/$name.log" 2>&1)
}
# sipp_stat NAME COLUMN: the last value of a column of sipp's statistics ("SuccessfulCall(C)", ...)
sipp_stat() {
  [ -f "$WORK/$1.csv" ] || { echo 0; return; }
  awk -F';' -v col="$2" 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == col) c = i; next} c {v = $c} END {print v + 0}' "$WORK/$1.csv"
}

# signalling ROW: prints "calls/s cpu-µs-per-call retransmissions" of the highest clean step: every
# call successful, none failed, and at least 80 % of the offered rate carried (calls over the
# step's wall time): below that the calls queue up somewhere (sipp, proxy or relay, one machine).
# A step during which the UAS ended (on this shared machine, something outside the bench has
# ended sipp processes) is run again with a new UAS, twice at most. Not to be run in a subshell:
# it may start a UAS, which the caller must know of to end it.
signalling() {
  local row=$1 best=0 best_us=n/a best_re=n/a rate calls c0 c1 r0 r1 t0 t1 ok failed re carried again=2
  for rate in $RATES; do
    calls=$((rate * STEP_S))
    c0=$(cpu "${PROXY_SIDS[@]}"); r0=$(cpu "${RELAY_SIDS[@]}"); t0=$(now)
    uac "sig-$row-$rate" "$WORK/uac-signalling.xml" "$rate" "$calls" $((rate * 10)) $((STEP_S + 40)) || true
    t1=$(now); c1=$(cpu "${PROXY_SIDS[@]}"); r1=$(cpu "${RELAY_SIDS[@]}")
    if ! uas_alive; then
      [ "$again" -gt 0 ] || break
      again=$((again - 1)); start_uas "$row-$r-$rate-$again"; sleep 2
      c0=$(cpu "${PROXY_SIDS[@]}"); r0=$(cpu "${RELAY_SIDS[@]}"); t0=$(now)
      uac "sig-$row-$rate" "$WORK/uac-signalling.xml" "$rate" "$calls" $((rate * 10)) $((STEP_S + 40)) || true
      t1=$(now); c1=$(cpu "${PROXY_SIDS[@]}"); r1=$(cpu "${RELAY_SIDS[@]}")
      uas_alive || break
    fi
    ok=$(sipp_stat "sig-$row-$rate" 'SuccessfulCall(C)'); failed=$(sipp_stat "sig-$row-$rate" 'FailedCall(C)')
    re=$(sipp_stat "sig-$row-$rate" 'Retransmissions(C)')
    carried=$(awk -v n="$ok" -v a="$t0" -v b="$t1" 'BEGIN {printf "%d", n / (b - a)}')
    awk -v row="$row" -v rate="$rate" -v carried="$carried" -v ok="$ok" -v failed="$failed" -v re="$re" \
      -v c=$((c1 - c0)) -v r=$((r1 - r0)) -v hz="$HZ" -v a="$t0" -v b="$t1" 'BEGIN {
        printf "  %s: %d calls/s offered, %d carried, %d successful, %d failed, %d retransmissions; CPU %d %% (relay %d %%)\n",
          row, rate, carried, ok, failed, re, 100 * c / hz / (b - a), 100 * r / hz / (b - a)}' >&2
    [ "$ok" -eq "$calls" ] && [ "$failed" -eq 0 ] && [ "$carried" -ge $((rate * 8 / 10)) ] || break
    best=$rate best_re=$re
    best_us=$(awk -v c=$((c1 - c0)) -v hz="$HZ" -v n="$calls" 'BEGIN {printf "%.0f", c / hz * 1e6 / n}')
    sleep 1
  done
  echo "$best $best_us $best_re"
}

# media ROW: prints "calls-up received/s sent/s cpu-µs-per-received-datagram failed-calls"
media() {
  local row=$1 ramp u0 u1 c0 c1 t0 t1 up pid
  ramp=$((MEDIA_CALLS / MEDIA_RATE + 3))
  rm -f "$WORK/media-$row.csv"
  uac "media-$row" "$WORK/uac-media.xml" "$MEDIA_RATE" "$MEDIA_CALLS" "$MEDIA_CALLS" $((HOLD_MS / 1000 + ramp + 30)) &
  pid=$!
  sleep "$ramp"
  read -r u0 o0 <<<"$(udp)"; c0=$(cpu "${RELAY_SIDS[@]}"); t0=$(now)
  up=$(sipp_stat "media-$row" 'CurrentCall')
  sleep "$WINDOW"
  read -r u1 o1 <<<"$(udp)"; c1=$(cpu "${RELAY_SIDS[@]}"); t1=$(now)
  wait $pid || true
  uas_alive || true
  awk -v up="$up" -v i=$((u1 - u0)) -v o=$((o1 - o0)) -v c=$((c1 - c0)) -v hz="$HZ" -v a="$t0" -v b="$t1" \
    -v f="$(sipp_stat "media-$row" 'FailedCall(C)')" \
    'BEGIN {printf "%d %d %d %.2f %d\n", up, i / (b - a), o / (b - a), (i ? c / hz * 1e6 / i : 0), f}'
}

warm_up() {  # warm_up ROW: 200 calls at 20/s and a short media run; false when calls fail
  uac "warm-$1" "$WORK/uac-signalling.xml" 20 200 40 50 || true
  local ok; ok=$(sipp_stat "warm-$1" 'SuccessfulCall(C)')
  if [ "$ok" -ne 200 ]; then
    echo "sip.sh: $1: only $ok of 200 warm-up calls succeeded:" >&2
    tail -n 5 "$WORK/warm-$1-errors.log" "$UAS_LOG-errors.log" >&2 2>/dev/null || true
    return 1
  fi
}

declare -A sig_rate sig_us sig_re med_in med_out med_us med_note dead
NOTE=
for r in $(seq 0 "$REPS"); do
  for row in "${ROWS[@]}"; do
    [ -z "${dead[$row]:-}" ] || continue
    start_uas "$row-$r"
    case $row in
      kamailio) start_kamailio || { NOTE+="kamailio did not start; "; dead[$row]=1; stop_row; continue; } ;;
      isthmus) start_isthmus || { NOTE+="isthmus did not start (no [sip] in $ISTHMUS_JAR?); "; dead[$row]=1; stop_row; continue; } ;;
      *) echo "sip.sh: unknown row $row" >&2; exit 64 ;;
    esac
    if [ "$r" -eq 0 ]; then
      warm_up "$row" || NOTE+="$row: warm-up calls failed; "
    else
      signalling "$row" >"$WORK/signalling.out"
      read -r rate us re <"$WORK/signalling.out"
      sig_rate[$row]+="$rate "; sig_us[$row]+="$us "; sig_re[$row]+="$re "
      uas_alive 2>/dev/null || start_uas "$row-$r-media"
      read -r up pin pout pus failed <<<"$(media "$row")"
      med_in[$row]+="$pin "; med_out[$row]+="$pout "; med_us[$row]+="$pus "
      [ "$up" -eq "$MEDIA_CALLS" ] && [ "$failed" -eq 0 ] || med_note[$row]+="round $r: $up of $MEDIA_CALLS calls up, $failed failed; "
    fi
    stop_row
  done
  [ "$r" -eq 0 ] || echo "round $r of $REPS done" >&2
done

echo
echo "SIP proxy and media relay: sipp UAC on the IPv6-only client → proxy → sipp UAS on the IPv4-only server; median of $REPS"
echo "signalling: steps of $STEP_S s at ${RATES// /, } calls/s; media: $MEDIA_CALLS calls × G.711 20 ms both ways, $WINDOW s window"
echo "| row | calls/s at 0 failed | CPU µs per call | retransmissions | RTP datagrams/s received | sent | CPU µs per received datagram |"
echo "|---|---|---|---|---|---|---|"
for row in "${ROWS[@]}"; do
  if [ -z "${sig_rate[$row]:-}" ]; then echo "| $row | not measured | | | | | |"; continue; fi
  echo "| $row | $(median <<<"${sig_rate[$row]}") [${sig_rate[$row]% }] | $(median <<<"${sig_us[$row]}") | ${sig_re[$row]% } | $(median <<<"${med_in[$row]}") [${med_in[$row]% }] | $(median <<<"${med_out[$row]}") | $(median <<<"${med_us[$row]}") [${med_us[$row]% }] |"
done
for row in "${ROWS[@]}"; do [ -z "${med_note[$row]:-}" ] || echo "($row media: ${med_note[$row]})"; done
[ -z "$NOTE" ] || echo "($NOTE)"
