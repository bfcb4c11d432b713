#!/usr/bin/env bash
# rules_load.sh: the candidate allow rules (--rules nft|iptables) load as they are into a
# scratch network namespace: nft accepts the ruleset and the iptables script runs to its
# end. Root only; skips (77) without nft, iptables or ipset, or where namespaces cannot be
# made. It never touches the host's own firewall.
#
# Usage: rules_load.sh ITMSCOPE CAPTURE [itmscope arguments...]
set -u

itmscope=$(realpath "$1")
capture=$2
shift 2
ns=itmrl$$
dir=$(mktemp -d)
trap 'ip netns del "$ns" 2>/dev/null; rm -rf "$dir"' EXIT

skip() {
    echo "SKIP: $*"
    exit 77
}

[ -e "$capture" ] || skip "$capture does not exist yet"
[ "$(id -u)" = 0 ] || skip "needs root for a scratch network namespace"
for t in nft iptables ip6tables ipset; do
    command -v "$t" >/dev/null || skip "$t is not installed"
done
ip netns add "$ns" 2>/dev/null || skip "cannot create network namespaces here"

"$itmscope" -r "$capture" "$@" --rules nft >"$dir/rules.nft" || exit 1
"$itmscope" -r "$capture" "$@" --rules iptables >"$dir/rules.sh" || exit 1
grep -q ' accept$' "$dir/rules.nft" || { echo "FAIL: no nft rule was generated"; exit 1; }

ip netns exec "$ns" nft -f "$dir/rules.nft" || { echo "FAIL: nft refused the ruleset"; exit 1; }
want=$(grep -c ' accept$' "$dir/rules.nft")
got=$(ip netns exec "$ns" nft list chain inet itmscope itmscope_allow | grep -c ' accept')
[ "$got" = "$want" ] || { echo "FAIL: nft loaded $got of $want rules"; exit 1; }
echo "ok   nft: $got rules loaded"

ip netns exec "$ns" sh -e "$dir/rules.sh" || { echo "FAIL: the iptables script failed"; exit 1; }
want=$(grep -c '^ip6\{0,1\}tables -A ITMS-ALLOW' "$dir/rules.sh")
got=$(( $(ip netns exec "$ns" iptables -S ITMS-ALLOW | grep -c '^-A') +
        $(ip netns exec "$ns" ip6tables -S ITMS-ALLOW | grep -c '^-A') ))
[ "$got" = "$want" ] || { echo "FAIL: iptables loaded $got of $want rules"; exit 1; }
echo "ok   iptables: $got rules loaded"
