# shellcheck shell=bash
# The benchmarks' three namespaces, sourced by a bench script (bench/sip.sh; bench/smtp.sh and
# bench/ftp.sh still carry the same lines inline):
#
#   client  2001:db8:6::2 ── 2001:db8:6::1  middle  198.51.100.1 ── 198.51.100.2  server
#
# The client is IPv6-only, the server IPv4-only (IPv6 disabled there), the middle has both and
# forwards nothing: whatever crosses is carried by the program under test in the middle.
# The caller sets NS_C, NS_X and NS_S (namespace names with a prefix of its own, so that two
# scripts never share one) and calls topology_down from its EXIT trap.

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

topology_up() {
  local ns pair
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
}

topology_down() {
  local ns
  for ns in $NS_C $NS_X $NS_S; do ip netns del $ns 2>/dev/null || true; done
}
