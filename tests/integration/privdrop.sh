#!/usr/bin/env bash
# privdrop.sh: a live capture started as root gives up root once the capture is open: the
# running process has nobody's ids, no supplementary groups and no capabilities, still
# captures, and stops cleanly on SIGINT. Needs root (skips otherwise, exit 77); it only
# captures on the loopback interface and writes in its own temporary directory.
#
# usage: privdrop.sh ITMSCOPE
set -uo pipefail
itm=$(realpath "$1")

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1: $2"; }

# Option errors need no privileges.
err=$("$itm" -u nobody -r /dev/null 2>&1)
rc=$?
want="itmscope: -u and --chroot apply to live capture (-i)"
[ $rc -eq 2 ] && [ "${err%%$'\n'*}" = "$want" ] && ok u-offline ||
    bad u-offline "exit $rc: $err"

if [ "$(id -u)" -ne 0 ]; then
    echo "skip: privilege drop needs root (running as $(id -un))"
    exit 77
fi
if ! id nobody >/dev/null 2>&1; then
    echo "skip: no user 'nobody' on this system"
    exit 77
fi
T=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$T"' EXIT
nuid=$(id -u nobody)
ngid=$(id -g nobody)

# start ARGS...: runs itmscope -i lo ARGS in the background and waits until it runs as
# nobody (or has exited). Sets $pid.
start() {
    "$itm" -i lo -q "$@" 2>"$T/stderr" &
    pid=$!
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || return 1
        awk '/^Uid:/ {print $2}' "/proc/$pid/status" 2>/dev/null | grep -qx "$nuid" && return 0
        sleep 0.1
    done
    return 1
}

# stop NAME: SIGINT, then the exit code must be 0.
stop() {
    kill -INT "$pid"
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        bad "$1-sigint" "still running 5 s after SIGINT"
        kill -KILL "$pid"
    fi
    wait "$pid"
    local rc=$?
    pid=
    [ $rc -eq 0 ] && ok "$1-exit" || bad "$1-exit" "exit $rc: $(cat "$T/stderr")"
}

# field NAME: the value of a /proc/PID/status line, blanks squeezed to one space
field() { awk -v k="$1:" '$1 == k {$1 = ""; sub(/^ +/, ""); print}' "/proc/$pid/status"; }

if ! start -u nobody --json "$T/live.json"; then
    if grep -q "without libcap-ng" "$T/stderr"; then
        echo "skip: built without libcap-ng"
        exit 77
    fi
    bad start "did not switch to nobody: $(cat "$T/stderr")"
    echo "$pass passed, $fail failed"
    exit 1
fi
uid=$(field Uid) gid=$(field Gid) groups=$(field Groups)
[ "$uid" = "$nuid $nuid $nuid $nuid" ] && ok uid ||
    bad uid "Uid: $uid (real, effective, saved, fs), want $nuid in all four"
[ "$gid" = "$ngid $ngid $ngid $ngid" ] && ok gid ||
    bad gid "Gid: $gid, want $ngid in all four"
[ -z "$groups" ] && ok groups || bad groups "supplementary groups left: $groups"
for cap in CapEff CapPrm CapInh CapBnd CapAmb; do
    v=$(field $cap)
    [ "$v" = "0000000000000000" ] && ok "$cap" || bad "$cap" "$cap: $v, want none"
done
[ "$(field NoNewPrivs)" = "1" ] && ok no-new-privs || bad no-new-privs "NoNewPrivs not set"

# Still capturing after the drop: a datagram to 127.0.0.1:9 becomes a flow.
python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(3): s.sendto(b"privdrop", ("127.0.0.1", 9))'
sleep 0.5
stop nobody
if python3 - "$T/live.json" <<'EOF'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
sys.exit(0 if any(e["event_type"] == "flow" and e.get("dest_port") == 9 for e in ev) else 1)
EOF
then ok capture-after-drop; else bad capture-after-drop "no UDP flow to port 9"; fi
# the output was opened before the drop: it belongs to root
[ "$(stat -c %u "$T/live.json")" = 0 ] && ok output-opened-as-root ||
    bad output-opened-as-root "owner $(stat -c %U "$T/live.json")"

# --chroot: the process root is the given directory
mkdir "$T/jail"
# LeakSanitizer reads /proc at exit, which the jail does not have (sanitizer builds only)
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
if start -u nobody --chroot "$T/jail"; then
    root=$(readlink "/proc/$pid/root")
    [ "$root" = "$T/jail" ] && ok chroot || bad chroot "root is $root, want $T/jail"
    stop chroot
else
    bad chroot "did not start: $(cat "$T/stderr")"
fi

# refused targets
for u in root no-such-user-here; do
    err=$("$itm" -i lo -q -u "$u" 2>&1)
    rc=$?
    case $u in
        root) want="itmscope: -u root: has uid 0, which would keep every privilege" ;;
        *) want="itmscope: -u $u: no such user" ;;
    esac
    [ $rc -eq 2 ] && [ "$err" = "$want" ] && ok "refuse-$u" || bad "refuse-$u" "exit $rc: $err"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
