#!/usr/bin/env bash
# live_signals.sh: live capture and its signals on a veth pair whose far end sits in a
# network namespace: the status line, SIGUSR1 (report while running), SIGHUP with a good
# and then a bad signature file (the bad one is refused, the good one stays in force) and
# SIGINT (every flow ends as "shutdown", every output is written, exit 0). Root only; it
# skips (77) where namespaces cannot be made, and always removes what it created.
#
# Usage: live_signals.sh ITMSCOPE [ITMS-GEN]
set -u

itmscope=$(realpath "$1")
gen=${2:-}
tag=$$
ns=itmls$tag
host_if=itmh$tag
peer_if=itmp$tag
dir=$(mktemp -d)
# itmscope drops root once its capture and outputs are open: a reload reads the files as
# that user (nobody by default), so they must be readable by it
chmod 755 "$dir"
pid=

cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    fi
    ip link del "$host_if" 2>/dev/null
    ip netns del "$ns" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT

skip() {
    echo "SKIP: $*"
    exit 77
}

fail() {
    echo "FAIL: $*"
    echo "--- itmscope stderr:"
    sed 's/^/    /' "$dir/err" 2>/dev/null | tail -n 30
    exit 1
}

[ "$(id -u)" = 0 ] || skip "needs root to create a network namespace and a veth pair"
command -v ip >/dev/null || skip "iproute2 (ip) is not installed"
command -v python3 >/dev/null || skip "python3 is not installed"
ip netns add "$ns" 2>/dev/null || skip "cannot create network namespaces here"
ip link add "$host_if" type veth peer name "$peer_if" 2>/dev/null ||
    skip "cannot create a veth pair here"
ip link set "$peer_if" netns "$ns" || fail "cannot move $peer_if into $ns"
ip addr add 10.199.0.1/24 dev "$host_if"
ip link set "$host_if" up
ip -n "$ns" addr add 10.199.0.2/24 dev "$peer_if"
ip -n "$ns" link set "$peer_if" up
ip -n "$ns" link set lo up

# One rule whose id the reloads change: the labels say which database is in force.
write_sig() {
    cat >"$dir/t.sig" <<EOF
[rule]
id           = probe-$1
suite        = Probe
component    = "Probe $1"
protos       = udp
ports        = 5555
client       = any
server       = any
EOF
}

# count new UDP flows to 10.199.0.1:5555 (a new source port each) from the namespace
send_udp() {
    ip netns exec "$ns" python3 - "$1" <<'EOF'
import socket, sys, time
for i in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(b"probe %d" % i, ("10.199.0.1", 5555))
    s.close()
    time.sleep(0.01)
EOF
}

# waits up to 5 s for a pattern in a file
wait_for() {
    for _ in $(seq 50); do
        grep -q -- "$1" "$2" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

flows_with_rule() {
    grep '"event_type":"flow"' "$dir/events.json" | grep -c "\"rule\":\"$1\""
}

write_sig a
# a short UDP timeout lets flows end (and be labelled) before a reload
"$itmscope" -i "$host_if" --signatures "$dir/t.sig" --stats-interval 1 --timeout udp=1 \
    --json "$dir/events.json" --report "$dir/report.txt" --csv "$dir/flows.csv" \
    -w "$dir/evidence.pcap" >"$dir/out" 2>"$dir/err" &
pid=$!
wait_for "pkts (" "$dir/err" || fail "no status line within 5 s"
echo "ok   status line: $(grep -m1 'pkts (' "$dir/err")"

# traffic from the namespace: the site generator when built, else plain UDP
if [ -n "$gen" ] && [ -x "$gen" ]; then
    ip netns exec "$ns" "$gen" site -i "$peer_if" --rate 5000 >/dev/null 2>&1 ||
        fail "itms-gen could not inject on $peer_if"
    echo "ok   injected the site scenario with itms-gen"
fi
send_udp 5
sleep 1.5
send_udp 1 # its packet ends the five idle ones under the first database

# SIGUSR1: the report so far, open flows included, and capture goes on
kill -USR1 "$pid"
wait_for "while running" "$dir/report.txt" || fail "SIGUSR1 wrote no report"
grep -q "Probe a" "$dir/report.txt" || fail "the SIGUSR1 report lacks the open probe flows"
kill -0 "$pid" || fail "itmscope stopped after SIGUSR1"
echo "ok   SIGUSR1 wrote the report while running"

# SIGHUP with a good database: new flows carry its rule
write_sig b
kill -HUP "$pid"
wait_for "reloaded 1 signatures" "$dir/err" || fail "SIGHUP did not reload a good file"
send_udp 3

# SIGHUP with a bad database: refused with its diagnostics, probe-b stays in force
printf '[rule]\nid = probe-c\nports = not-a-port\n' >"$dir/t.sig"
kill -HUP "$pid"
wait_for "reload refused" "$dir/err" || fail "SIGHUP accepted a bad file"
grep -q "t.sig:[0-9]*:[0-9]*: " "$dir/err" || fail "the bad file's diagnostics were not shown"
kill -0 "$pid" || fail "itmscope stopped after a bad reload"
echo "ok   SIGHUP: good file reloaded, bad file refused with file:line:col diagnostics"
send_udp 3

# SIGINT: stop, end every flow as shutdown, write all outputs, exit 0
kill -INT "$pid"
wait "$pid"
rc=$?
pid=
[ "$rc" = 0 ] || fail "exit status $rc after SIGINT"
grep -q '"event_type":"stats".*"final":true' "$dir/events.json" || fail "no final stats event"
grep -q '"reason":"shutdown"' "$dir/events.json" || fail "no flow ended as shutdown"
[ "$(flows_with_rule probe-a)" -ge 5 ] || fail "flows before the reload lack probe-a"
[ "$(flows_with_rule probe-b)" -ge 6 ] || fail "flows after the reloads lack probe-b"
[ "$(flows_with_rule probe-c)" = 0 ] || fail "the refused database was used"
grep -q "while running" "$dir/report.txt" && fail "the final report was not written"
grep -q "itmscope audit report" "$dir/report.txt" || fail "no final report"
[ "$(grep -c . "$dir/flows.csv")" -gt 1 ] || fail "the flow CSV is empty"
echo "ok   SIGINT: exit 0, shutdown flows, final stats, report and CSV written"
exit 0
