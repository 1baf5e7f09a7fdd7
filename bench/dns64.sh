#!/usr/bin/env bash
# DNS64 benchmark: isthmus against Unbound's dns64 module, measured in one run, alternating.
#
#   sudo bench/dns64.sh                       # REPS=3 rounds of both phases for both servers
#   sudo REPS=1 SECS=3 bench/dns64.sh         # a smoke run
#
# One network namespace (made and removed here; all traffic on its loopback):
#   upstream  Unbound, iterator + auth-zone bench.test. (127.0.0.1:5301), the recursive resolver
#   unbound   Unbound, "dns64 iterator", dns64-prefix 2001:db8:64::/96, forwarding to upstream (:5302)
#   isthmus   isthmus run with only [dns64], same prefix and upstream (:5353)
# Both DNS64s run one thread for the UDP path (unbound num-threads: 1; isthmus has one receiving
# thread per socket, which takes a batch of queries per recvmmsg; a cache miss continues on the
# thread that receives the upstream's answer).
#
# Phases, each measured with dnsperf (Debian's dnsperf) for SECS seconds, 100 queries outstanding:
#   cached       AAAA queries for 100 A-only names, asked once before: synthesized answers from cache
#   synthesized  AAAA queries for names never asked before (*.wild.bench.test, a wildcard A): every
#                query costs the DNS64 an AAAA and an A question upstream and a synthesis
# Before each server's measured run of a phase, a warm-up run of WARM seconds (JIT, caches).
# Figures: queries per second, average latency, and lost queries, each the median of REPS rounds
# with the raw values in brackets.
#
# Needs: unbound, dnsperf, iproute2, JDK 25 and the packaged jar (./mvnw -pl app package;
# ISTHMUS_JAR overrides app/target/isthmus.jar). Environment: REPS (3), SECS (10), WARM (3), JAVA.
set -euo pipefail

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd -P)
root=$(cd "$here/.." && pwd -P)
REPS=${REPS:-3}; SECS=${SECS:-10}; WARM=${WARM:-3}
ISTHMUS_JAR=${ISTHMUS_JAR:-$root/app/target/isthmus.jar}
JAVA=${JAVA:-$("$root/.ci/find-jdk")/bin/java}
for tool in unbound dnsperf ip; do
  command -v "$tool" >/dev/null || { echo "dns64.sh: needs $tool" >&2; exit 1; }
done
[ -f "$ISTHMUS_JAR" ] || { echo "dns64.sh: no $ISTHMUS_JAR (./mvnw -pl app package)" >&2; exit 1; }

ns=d64b-$(od -An -N2 -tx2 /dev/urandom | tr -d ' ')
dir=$(mktemp -d /tmp/isthmus-dns64-bench.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
in_ns() { ip netns exec "$ns" "$@"; }

# The zone: every TTL written out (Unbound's zone reader carries the last TTL over $TTL).
{
  echo '$ORIGIN bench.test.'
  echo '@ 3600 IN SOA ns.bench.test. host.bench.test. 1 3600 600 86400 3600'
  echo '@ 3600 IN NS ns.bench.test.'
  echo 'ns 3600 IN A 127.0.0.1'
  for i in $(seq 1 100); do echo "n$i 3600 IN A 203.0.113.$i"; done
  echo '*.wild 3600 IN A 203.0.113.200'
} > "$dir/bench.zone"

common() { # $1 port, $2 modules: the server: clause the DNS64 end-to-end tests use too
  sed -e "s|@ADDRESS@|127.0.0.1|; s|@PORT@|$1|g; s|@DIR@|$dir|; s|@MODULES@|$2|; s|@ALLOW@|127.0.0.0/8|" \
    "$root/app/src/test/resources/dev/isthmus/e2e/unbound-server.conf.in"
  printf '  msg-cache-size: 64m\n  rrset-cache-size: 128m\n'
}
{ common 5301 iterator; cat <<CONF
auth-zone:
  name: "bench.test."
  zonefile: "$dir/bench.zone"
  for-upstream: yes
  for-downstream: no
  fallback-enabled: no
CONF
} > "$dir/upstream.conf"
{ common 5302 "dns64 iterator"; cat <<CONF
  dns64-prefix: 2001:db8:64::/96
forward-zone:
  name: "."
  forward-addr: 127.0.0.1@5301
CONF
} > "$dir/unbound.conf"
cat > "$dir/isthmus.toml" <<CONF
[dns64]
listen = ["127.0.0.1:5353"]
upstream = ["127.0.0.1:5301"]
prefix = "2001:db8:64::/96"
cache-size = 1000000
max-inflight = 10000

[control]
socket = "$dir/isthmus.sock"
CONF

# Started without the in_ns function, so that $! is the server itself (ip netns exec execs it).
ip netns exec "$ns" unbound -d -c "$dir/upstream.conf" >"$dir/upstream.log" 2>&1 & pids+=($!)
ip netns exec "$ns" unbound -d -c "$dir/unbound.conf" >"$dir/unbound.log" 2>&1 & pids+=($!)
ip netns exec "$ns" "$JAVA" -jar "$ISTHMUS_JAR" run --config "$dir/isthmus.toml" >"$dir/isthmus.log" 2>&1 & pids+=($!)
port_of() { case $1 in isthmus) echo 5353 ;; unbound) echo 5302 ;; esac; }
for s in upstream:5301 unbound:5302 isthmus:5353; do
  for _ in $(seq 1 100); do
    in_ns dig @127.0.0.1 -p "${s#*:}" +tries=1 +time=1 +short bench.test SOA >/dev/null 2>&1 && continue 2
    sleep 0.2
  done
  echo "dns64.sh: ${s%%:*} does not answer; logs in $dir" >&2; cat "$dir/${s%%:*}.log" >&2; exit 1
done

for i in $(seq 1 100); do echo "n$i.bench.test AAAA"; done > "$dir/cached.txt"
# Names no one asked before: a fresh set per server, round and run (warm-up included).
fresh() { # $1 tag
  awk -v t="$1" 'BEGIN { for (i = 0; i < 400000; i++) printf "q%d-%s.wild.bench.test AAAA\n", i, t }' > "$dir/fresh.txt"
}

# dnsperf → "qps latency_ms lost"
measure() { # $1 server, $2 file, $3 seconds
  in_ns timeout $(( $3 + 15 )) dnsperf -s 127.0.0.1 -p "$(port_of "$1")" -d "$2" -l "$3" -q 100 -t 2 2>&1 |
    awk '/Queries per second/ { q = $4 } /Queries lost/ { l = $3 } /Average Latency/ { a = $4 * 1000 }
         END { printf "%.0f %.3f %s\n", q, a, l }'
}

declare -A QPS LAT LOST
for r in $(seq 1 "$REPS"); do
  for phase in cached synthesized; do
    for s in isthmus unbound; do
      if [ "$phase" = cached ]; then
        measure "$s" "$dir/cached.txt" "$WARM" >/dev/null
        read -r q a l < <(measure "$s" "$dir/cached.txt" "$SECS")
      else
        fresh "warm-$s-$r"; measure "$s" "$dir/fresh.txt" "$WARM" >/dev/null
        fresh "run-$s-$r"; read -r q a l < <(measure "$s" "$dir/fresh.txt" "$SECS")
      fi
      echo "round $r $phase $s: $q qps, $a ms average, $l lost" >&2
      QPS[$phase,$s]+="$q "; LAT[$phase,$s]+="$a "; LOST[$phase,$s]+="$l "
    done
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo
echo "| phase | server | queries/s | average latency (ms) | lost |"
echo "| --- | --- | ---: | ---: | ---: |"
for phase in cached synthesized; do
  for s in isthmus unbound; do
    printf '| %s | %s | %s [%s] | %s [%s] | %s [%s] |\n' "$phase" "$s" \
      "$(echo "${QPS[$phase,$s]}" | median)" "${QPS[$phase,$s]% }" \
      "$(echo "${LAT[$phase,$s]}" | median)" "${LAT[$phase,$s]% }" \
      "$(echo "${LOST[$phase,$s]}" | median)" "${LOST[$phase,$s]% }"
  done
done
