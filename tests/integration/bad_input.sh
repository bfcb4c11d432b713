#!/usr/bin/env bash
# bad_input.sh: hostile and broken input through the itmscope command: missing, unreadable
# and non-capture files, damaged pcap/pcapng, bad options, broken signature and site files.
# Each case checks the exit code and the exact error line naming the input. It only writes
# inside its own temporary directory.
#
# usage: bad_input.sh ITMSCOPE
set -uo pipefail
itm=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
T=$(mktemp -d)
trap 'chmod -R u+rwX "$T"; rm -rf "$T"' EXIT
chmod 755 "$T"
cd "$T" || exit 1
python3 "$here/make-bad-captures.py" "$T" || exit 1

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
skip() { echo "skip $1: $2"; }

# run NAME CMD...: runs CMD, leaves the exit code in $rc and stderr in $err
run() {
    local name=$1; shift
    "$@" >"$T/$name.out" 2>"$T/$name.err"
    rc=$?
    err=$(cat "$T/$name.err")
}

# expect NAME RC PATTERN ARGS...: itmscope ARGS exits RC and its stderr matches the shell
# pattern PATTERN exactly (whole text; literal unless it holds * or ?).
expect() {
    local name=$1 want_rc=$2 pattern=$3; shift 3
    run "$name" "$itm" "$@"
    if [ "$rc" -ne "$want_rc" ]; then
        bad "$name" "exit $rc, want $want_rc; stderr: $err"
    elif [[ "$err" != $pattern ]]; then
        bad "$name" "stderr was [$err], want [$pattern]"
    else
        ok "$name"
    fi
}
hint="Try 'itmscope --help' for more information."
usage() { printf 'itmscope: %s\n%s' "$1" "$hint"; }

G=$T/good.pcap

# ---- files that are not captures
expect missing 2 "itmscope: $T/nope.pcap: No such file or directory" -r "$T/nope.pcap"
mkdir "$T/dir.pcap"
expect directory 2 "itmscope: $T/dir.pcap: is a directory" -r "$T/dir.pcap"
expect empty 2 "itmscope: $T/empty.pcap: empty file, not a capture" -r "$T/empty.pcap"
expect text 2 "itmscope: $T/text.pcap: not a pcap or pcapng capture (unknown file format)" \
    -r "$T/text.pcap"
expect png 2 "itmscope: $T/png.pcap: not a pcap or pcapng capture (unknown file format)" \
    -r "$T/png.pcap"
# a bad second input fails before the first is read: nothing half done
expect second-missing 2 "itmscope: $T/nope.pcap: No such file or directory" \
    -r "$G" -r "$T/nope.pcap" --json "$T/never.json"
[ ! -s "$T/never.json" ] && ok second-missing-no-output || bad second-missing-no-output \
    "events were written before the bad input was found"

# chmod 000 does not stop root: then read as nobody, or skip
cp "$G" "$T/unreadable.pcap"
chmod 000 "$T/unreadable.pcap"
as_nobody=()
if [ "$(id -u)" -eq 0 ]; then
    if command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
        as_nobody=(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups)
    fi
fi
if [ "$(id -u)" -ne 0 ] || [ ${#as_nobody[@]} -gt 0 ]; then
    run unreadable "${as_nobody[@]}" "$itm" -r "$T/unreadable.pcap"
    want="itmscope: $T/unreadable.pcap: Permission denied"
    if [ "$rc" -eq 2 ] && [ "$err" = "$want" ]; then ok unreadable
    else bad unreadable "exit $rc, stderr [$err], want 2 and [$want]"; fi
else
    skip unreadable "running as root without setpriv: chmod 000 does not stop root's reads"
fi

# ---- damaged captures
flows() { # JSON file: "proto:server_port:packets" per flow, sorted, then the packet count
    python3 - "$1" <<'EOF'
import json, sys
flows, packets = [], None
for line in open(sys.argv[1]):
    ev = json.loads(line)
    if ev["event_type"] == "flow":
        f = ev["flow"]
        flows.append("%s:%d:%d" % (ev["proto"], ev["dest_port"],
                                   f["pkts_toserver"] + f["pkts_toclient"]))
    elif ev["event_type"] == "stats" and ev["stats"].get("final"):
        packets = ev["stats"]["packets"]
print(" ".join(sorted(flows)), "packets=%s" % packets)
EOF
}
whole4="TCP:443:3 UDP:53:1 packets=4"
# the same with the file read on the pipeline's own thread (--no-read-thread)
for rt in "" --no-read-thread; do
    for cut in cut.pcap cut-header.pcap cut.pcapng; do
        expect "$cut$rt" 0 \
            "itmscope: warning: $T/$cut: record 5 is cut short: * (the records before it were read)" \
            -q $rt -r "$T/$cut" --json "$T/$cut.json"
        got=$(flows "$T/$cut.json")
        [ "$got" = "$whole4" ] && ok "$cut$rt-flows" || bad "$cut$rt-flows" "got [$got], want [$whole4]"
    done
    expect "huge-caplen$rt" 2 "itmscope: $T/huge.pcap: record 4 is damaged: *" -q $rt -r "$T/huge.pcap"
    expect "damaged-pcapng$rt" 2 "itmscope: $T/damaged.pcapng: record 4 is damaged: *" \
        -q $rt -r "$T/damaged.pcapng"
done
expect good-pcapng 0 "" -q -r "$T/good.pcapng" --json "$T/good.json"
got=$(flows "$T/good.json")
want="TCP:443:3 UDP:161:1 UDP:53:1 packets=5"
[ "$got" = "$want" ] && ok good-pcapng-flows || bad good-pcapng-flows "got [$got], want [$want]"

# ---- options
expect bad-bpf 2 "itmscope: $G: bad filter 'port foo': *" -r "$G" -f "port foo"
# without privileges libpcap fails on the socket before it looks for the interface
if [ "$(id -u)" -eq 0 ]; then
    expect unknown-iface 2 "itmscope: nosuchif0: no such interface" -i nosuchif0
else
    expect unknown-iface 2 "itmscope: nosuchif0: permission denied*" -i nosuchif0
fi
expect i-and-r 2 "$(usage "-i and -r cannot be used together")" -i lo -r "$G"
expect max-flows-neg 2 "$(usage "--max-flows: '-1' is not a whole number from 1 to 100000000")" \
    -r "$G" --max-flows -1
expect max-flows-huge 2 \
    "$(usage "--max-flows: '1e99' is not a whole number from 1 to 100000000")" \
    -r "$G" --max-flows 1e99
expect max-flows-zero 2 "$(usage "--max-flows: '0' is not a whole number from 1 to 100000000")" \
    -r "$G" --max-flows 0
u64max=18446744073709551615 big=18446744073709551616
expect seed-overflow 2 "$(usage "--seed: '$big' is not a whole number from 0 to $u64max")" \
    -r "$G" --seed "$big"
expect missing-value 2 "$(usage "option '--max-flows' needs a value")" -r "$G" --max-flows
expect unknown-option 2 "$(usage "unknown option '--bogus'")" --bogus
if [ "$(id -u)" -ne 0 ]; then
    expect iface-perm 2 "itmscope: lo: permission denied (run as root or grant CAP_NET_RAW)" -i lo
elif [ ${#as_nobody[@]} -gt 0 ]; then
    run iface-perm "${as_nobody[@]}" "$itm" -i lo
    want="itmscope: lo: permission denied (run as root or grant CAP_NET_RAW)"
    if [ "$rc" -eq 2 ] && [ "$err" = "$want" ]; then ok iface-perm
    else bad iface-perm "exit $rc, stderr [$err], want 2 and [$want]"; fi
else
    skip iface-perm "running as root without setpriv: cannot capture as an unprivileged user"
fi

# ---- signature files: an error names file:line:col, the whole file is rejected
sig=$src/signatures/itms.sig
rejected() { printf '%s\nitmscope: %s: signature database rejected (%s)' "$1" "$2" "$3"; }
printf '%s\n' '[rule]' 'id = x' 'suite = "s"' 'component = "c"' 'protos = tcp' 'ports = 99999' \
    'client = agent' 'server = notification-server' >"$T/badport.sig"
expect sig-bad-port 2 "$(rejected "$T/badport.sig:6:9: *" "$T/badport.sig" "1 error")" \
    --signatures "$T/badport.sig" -r "$G"
python3 - "$T" "$sig" <<'EOF'
import sys
t, sig = sys.argv[1], open(sys.argv[2], encoding="utf-8").read()
open(t + "/long.sig", "w").write(sig + "[rule]\nid = " + "a" * 5000 + "\n")
open(t + "/nul.sig", "wb").write(sig.encode() + b"[rule]\nid = x\0y\n")
open(t + "/crlf.sig", "w", newline="").write(sig.replace("\n", "\r\n"))
open(t + "/nofinal.sig", "w").write(sig.rstrip("\n"))
open(t + "/utf8.sig", "w", encoding="utf-8").write(
    sig.replace('note         = "resolves the SQL server name"',
                'note         = "résout le nom du serveur SQL \u2713"', 1))
open(t + "/utf8-word.sig", "w", encoding="utf-8").write(sig.replace("id           = sim-dns",
                                                                     "id           = sim-dné", 1))
EOF
lines=$(wc -l <"$sig")
expect sig-long-line 2 "$T/long.sig:$((lines + 2)):4097: line longer than 4096 characters*" \
    --signatures "$T/long.sig" -r "$G"
expect sig-nul 2 "$T/nul.sig:$((lines + 2)):7: NUL byte in text*" --signatures "$T/nul.sig" -r "$G"
dnsline=$(grep -n "^id           = sim-dns$" "$sig" | cut -d: -f1)
expect sig-utf8-word 2 \
    "$T/utf8-word.sig:$dnsline:22: non-ASCII character outside a quoted string*" \
    --signatures "$T/utf8-word.sig" -r "$G"
expect sig-missing 2 "$T/nope.sig: No such file or directory" --signatures "$T/nope.sig" -r "$G"
expect sig-directory 2 "$T/dir.pcap: is a directory" --signatures "$T/dir.pcap" -r "$G"
# valid variants load to the same database as the original
"$itm" --check-signatures "$sig" | sed "s|^$sig: ||" >"$T/sig.summary"
for v in crlf nofinal utf8; do
    run "sig-$v" "$itm" --check-signatures "$T/$v.sig"
    if [ "$rc" -ne 0 ]; then bad "sig-$v" "exit $rc: $err"; continue; fi
    sed "s|^$T/$v.sig: ||" "$T/sig-$v.out" | cmp -s - "$T/sig.summary" && ok "sig-$v" ||
        bad "sig-$v" "summary differs from the LF original"
done

# ---- site files: same contract
site=$src/signatures/site.example
srej() { printf '%s\nitmscope: %s: site file rejected (%s)' "$1" "$2" "$3"; }
printf '[roles]\n10.1.0.10 notification-server\n10.1.0.300 agent\n' >"$T/badaddr.site"
expect site-bad-addr 2 "$(srej "$T/badaddr.site:3:1: *" "$T/badaddr.site" "1 error")" \
    -S "$T/badaddr.site" -r "$G"
python3 - "$T" "$site" <<'EOF'
import sys
t, site = sys.argv[1], open(sys.argv[2], encoding="utf-8").read()
open(t + "/long.site", "w").write("[roles]\n10.0.0.1 " + "agent " * 1000 + "\n")
open(t + "/nul.site", "wb").write(b"[roles]\n10.0.0.1 agent\0\n")
open(t + "/utf8-role.site", "w", encoding="utf-8").write('[roles]\n10.0.0.1 "ag\u00e9nt"\n')
open(t + "/crlf.site", "w", newline="").write(site.replace("\n", "\r\n"))
open(t + "/nofinal.site", "w").write(site.rstrip("\n"))
open(t + "/utf8.site", "w", encoding="utf-8").write("# site de d\u00e9monstration \u2713\n" + site)
EOF
expect site-long-line 2 "$(srej "$T/long.site:2:4097: line longer than 4096 characters" \
    "$T/long.site" "1 error")" -S "$T/long.site" -r "$G"
expect site-nul 2 "$(srej "$T/nul.site:2:15: NUL byte in text" "$T/nul.site" "1 error")" \
    -S "$T/nul.site" -r "$G"
expect site-utf8-role 2 "$(srej "$T/utf8-role.site:2:10: *" "$T/utf8-role.site" "1 error")" \
    -S "$T/utf8-role.site" -r "$G"
expect site-missing 2 "$T/nope.site: No such file or directory" -S "$T/nope.site" -r "$G"
"$itm" -q -S "$site" -r "$G" --roles >"$T/site.roles"
for v in crlf nofinal utf8; do
    run "site-$v" "$itm" -q -S "$T/$v.site" -r "$G" --roles
    if [ "$rc" -ne 0 ]; then bad "site-$v" "exit $rc: $err"; continue; fi
    cmp -s "$T/site-$v.out" "$T/site.roles" && ok "site-$v" ||
        bad "site-$v" "roles differ from the LF original"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
