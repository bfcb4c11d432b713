#!/usr/bin/env bash
# Live capture on a real interface: two network namespaces joined by a veth pair; itmscope
# captures on one end while itms-gen injects the site and attacks scenarios from the other;
# after SIGINT the live result must equal the offline result on the same scenario (flows,
# packet counts, labels, flags) and report kernel counters. Root only: skips (77) where
# namespaces cannot be made. Namespaces are removed even when the test fails.
# usage: live_netns.sh ITMSCOPE ITMS_GEN SOURCE_DIR
set -u
itmscope=$1 gen=$2 src=$3
tmp=$(mktemp -d)
nsa=itmscope-a-$$ nsb=itmscope-b-$$
cleanup() {
    ip netns del "$nsa" 2>/dev/null
    ip netns del "$nsb" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

if [ "$(id -u)" -ne 0 ] || ! ip netns add "$nsa" 2>/dev/null; then
    echo "SKIP: network namespaces cannot be made here (needs root and iproute2)"
    exit 77
fi
ip netns add "$nsb" || exit 1
ip link add veth-gen netns "$nsa" type veth peer name veth-cap netns "$nsb" || exit 1
for pair in "$nsa veth-gen" "$nsb veth-cap"; do
    set -- $pair
    # no IPv6 on the link: router solicitations and MLD reports would add flows of their own
    ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip netns exec "$1" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1"
    ip netns exec "$1" ip link set "$2" up || exit 1
done

fail=0
for scen in site attacks; do
    site="$src/pcaps/$scen.site"
    ip netns exec "$nsb" "$itmscope" -i veth-cap -q --one-pass -S "$site" \
        --json "$tmp/$scen.live.json" 2>"$tmp/$scen.err" &
    pid=$!
    sleep 1
    seed=$([ "$scen" = site ] && echo 1 || echo 2)
    if ! ip netns exec "$nsa" "$gen" "$scen" -s "$seed" -i veth-gen --rate 4000 >/dev/null; then
        echo "FAIL: itms-gen could not inject $scen"
        fail=1
    fi
    sleep 1
    kill -INT "$pid"
    wait "$pid"
    rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "FAIL: live itmscope exited $rc on SIGINT: $(cat "$tmp/$scen.err")"
        fail=1
        continue
    fi
    "$itmscope" -q --one-pass -S "$site" -r "$src/pcaps/$scen.pcap" --json "$tmp/$scen.off.json"
    echo "== $scen: live vs offline"
    python3 "$src/tests/integration/compare_runs.py" "$tmp/$scen.live.json" "$tmp/$scen.off.json" ||
        fail=1
done
exit $fail
