#!/usr/bin/env bash
# The command line as a user drives it: stdin, several files into one flow table, pcapng and
# nanosecond pcap giving the same flows as pcap, BPF filters, the signature commands,
# deterministic JSON, and the same outputs whether a second CPU reads the file or writes
# the outputs or not. usage: cli.sh ITMSCOPE SOURCE_DIR
set -u
itm=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
check() { # description, then a command that must succeed
    local what=$1; shift
    if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $what"; fi
}
flows() { jq -c 'select(.event_type=="flow") | [.proto,.src_ip,.src_port,.dest_ip,.dest_port,.flow.pkts_toserver,.flow.pkts_toclient,.itms.rule,.flags]' "$1"; }

site=$src/pcaps/site.pcap
"$itm" -q -r "$site" --json "$tmp/file.json"
"$itm" -q -r - --json "$tmp/stdin.json" < "$site"
check "stdin gives the same flows as the file (one pass: stdin cannot be read twice)" \
    cmp -s <(flows "$tmp/stdin.json") <("$itm" -q --one-pass -r "$site" --json - | flows /dev/stdin)

if command -v editcap >/dev/null; then
    editcap -F pcapng "$site" "$tmp/site.pcapng"
    editcap -F nsecpcap "$site" "$tmp/site.nsec.pcap"
    "$itm" -q -r "$tmp/site.pcapng" --json "$tmp/ng.json"
    "$itm" -q -r "$tmp/site.nsec.pcap" --json "$tmp/ns.json"
    check "pcapng gives the same flows as pcap" cmp -s <(flows "$tmp/file.json") <(flows "$tmp/ng.json")
    check "nanosecond pcap gives the same flows" cmp -s <(flows "$tmp/file.json") <(flows "$tmp/ns.json")
    check "timestamps keep microseconds" \
        cmp -s <(jq -r 'select(.event_type=="flow").flow.start' "$tmp/file.json") \
               <(jq -r 'select(.event_type=="flow").flow.start' "$tmp/ns.json")
else
    echo "SKIP: pcapng and nanosecond checks (editcap not found)"
fi

"$itm" -q -r "$site" -r "$src/pcaps/attacks.pcap" --json "$tmp/two.json"
check "two files share one run: packets add up" \
    test "$(jq -s '[.[] | select(.event_type=="stats")][-1].stats.packets' "$tmp/two.json")" -eq \
         "$(( $(jq -s '[.[] | select(.event_type=="stats")][-1].stats.packets' "$tmp/file.json") +
              $("$itm" -q -r "$src/pcaps/attacks.pcap" --json - | jq -s '[.[] | select(.event_type=="stats")][-1].stats.packets') ))"

"$itm" -q -r "$site" -f 'tcp port 50123' --json "$tmp/f.json"
check "a BPF filter keeps only matching flows" \
    test "$(jq -r 'select(.event_type=="flow") | .dest_port' "$tmp/f.json" | sort -u)" = 50123

"$itm" -q -r "$site" --json "$tmp/again.json"
check "the JSON is the same on every run (hash seeds differ)" cmp -s "$tmp/file.json" "$tmp/again.json"
check "every line is JSON" jq -e . "$tmp/file.json" >/dev/null

# A second CPU reads the file by default; on the pipeline's own thread every output is the same.
for cap in site attacks edge; do
    "$itm" -r "$src/pcaps/$cap.pcap" -S "$src/pcaps/$cap.site" --json "$tmp/rt.json" \
        -w "$tmp/rt.pcap" > "$tmp/rt.report"
    "$itm" --no-read-thread -r "$src/pcaps/$cap.pcap" -S "$src/pcaps/$cap.site" \
        --json "$tmp/nort.json" -w "$tmp/nort.pcap" > "$tmp/nort.report"
    check "$cap: --no-read-thread gives the same JSON" cmp -s "$tmp/rt.json" "$tmp/nort.json"
    check "$cap: the same report" cmp -s "$tmp/rt.report" "$tmp/nort.report"
    check "$cap: the same evidence pcap" cmp -s "$tmp/rt.pcap" "$tmp/nort.pcap"
done
check "two files and stdin: the same JSON on one thread" cmp -s \
    <("$itm" -q --one-pass -r - -r "$src/pcaps/attacks.pcap" --json - < "$site") \
    <("$itm" -q --one-pass --no-read-thread -r - -r "$src/pcaps/attacks.pcap" --json - < "$site")

# Outputs get a thread of their own once 16,384 flows have been written: 30,000 SYNs and
# TFTP requests from random sources (tools/flood-pcap.py, packet time in 2023) make 30,000
# flows, which time out when the attacks capture (2026) follows them; its flows and
# findings then go through that thread. Every output is the same on one thread.
python3 "$src/tools/flood-pcap.py" "$tmp/big.pcap" --packets 30000 --mix 2,0,1 --seed 3
outs() { # dir, then options: every output without packets of one run into dir
    local d=$1; shift
    mkdir -p "$d"
    "$itm" -q --one-pass -r "$tmp/big.pcap" -r "$src/pcaps/attacks.pcap" \
        -S "$src/pcaps/attacks.site" --json "$d/json" --report "$d/report" --csv "$d/csv" \
        --matrix "$d/matrix" --rules nft "$@" > "$d/rules"
}
outs "$tmp/ot"
outs "$tmp/noot" --no-output-thread
"$itm" -q --one-pass -r "$src/pcaps/attacks.pcap" -S "$src/pcaps/attacks.site" \
    --json "$tmp/attacks-only.json"
for f in json report csv matrix rules; do
    check "30,000 flows: --no-output-thread gives the same $f" cmp -s "$tmp/ot/$f" "$tmp/noot/$f"
done
# Outputs none of which takes alerts (the CSV, the matrix): alerts are not queued at all
"$itm" -q --one-pass -r "$tmp/big.pcap" -r "$src/pcaps/attacks.pcap" -S "$src/pcaps/attacks.site" \
    --csv "$tmp/ot/csv2" --matrix "$tmp/ot/matrix2"
for f in csv matrix; do
    check "30,000 flows: $f without an output that takes alerts, the same on its thread" \
        cmp -s "$tmp/ot/$f" "$tmp/ot/${f}2"
done
check "30,000 flows and the attacks: every flow written" test "$(jq -c \
    'select(.event_type=="flow")' "$tmp/ot/json" | wc -l)" -eq "$((30000 + $(jq -c \
    'select(.event_type=="flow")' "$tmp/attacks-only.json" | wc -l)))"
check "--packets and --json on stdout: the same lines in the same order" cmp -s \
    <("$itm" --one-pass -r "$tmp/big.pcap" -r "$src/pcaps/attacks.pcap" --packets --json - 2>/dev/null) \
    <("$itm" --one-pass -r "$tmp/big.pcap" -r "$src/pcaps/attacks.pcap" --packets --json - \
        --no-output-thread 2>/dev/null)
# Signals land on the pipeline's thread: SIGUSR1 (the report so far: the queue emptied,
# open flows peeked at) again and again while the outputs' thread writes leaves every
# output as a run without signals writes it.
python3 "$src/tools/flood-pcap.py" "$tmp/big2.pcap" --packets 150000 --mix 2,0,1 --seed 4
sigargs=(-q --one-pass -r "$tmp/big2.pcap" -r "$src/pcaps/attacks.pcap" -S "$src/pcaps/attacks.site")
"$itm" "${sigargs[@]}" --json "$tmp/quiet.json" --report "$tmp/quiet.txt"
"$itm" "${sigargs[@]}" --json "$tmp/usr1.json" --report "$tmp/usr1.txt" 2>/dev/null &
pid=$!
# the handlers are in place once SIGUSR1 (bit 9 of SigCgt) is caught, not killed for
while kill -0 "$pid" 2>/dev/null &&
      ! (( (16#$(awk '/^SigCgt/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0) >> 9) & 1 )); do
    sleep 0.01
done
sent=0
while [ "$sent" -lt 20 ] && kill -USR1 "$pid" 2>/dev/null; do
    sent=$((sent + 1))
    sleep 0.05
done
wait "$pid"
check "SIGUSR1 while the outputs run: exit 0" test $? -eq 0
echo "note: SIGUSR1 sent $sent times during the run"
check "SIGUSR1 sent more than once" test "$sent" -gt 1
check "and the same JSON" cmp -s "$tmp/quiet.json" "$tmp/usr1.json"
check "and the same report at the end" cmp -s "$tmp/quiet.txt" "$tmp/usr1.txt"
check "and the attacks' findings among them, after the flood's flows" \
    test "$(jq -r '.event_type' "$tmp/ot/json" | uniq | grep -c alert)" -gt 5

# Who reads: a thread of its own for a regular file with a second CPU to run on, else the
# pipeline's thread (threads counted as the clone calls with CLONE_THREAD that strace sees:
# a sanitizer's leak checker clones a tracer, not a thread, at exit).
if command -v strace >/dev/null && command -v taskset >/dev/null &&
   [ "$(getconf _NPROCESSORS_ONLN)" -gt 1 ]; then
    clones() { # args...: clone calls of one one-pass run over stdin (the sample capture)
        strace -f -qq -e trace=clone,clone3 -o "$tmp/strace" "$@" < "$site" >/dev/null 2>&1
        grep -c 'CLONE_THREAD' "$tmp/strace"
    }
    check "a file is read by a thread of its own" \
        test "$(clones "$itm" -q --one-pass -r "$site")" -eq 1
    check "--no-read-thread reads on one thread" \
        test "$(clones "$itm" -q --one-pass --no-read-thread -r "$site")" -eq 0
    check "stdin is read on one thread" test "$(clones "$itm" -q --one-pass -r -)" -eq 0
    check "one CPU allowed (taskset): one thread" \
        test "$(clones taskset -c 0 "$itm" -q --one-pass -r "$site")" -eq 0
    bigclones() { # args...: clone calls of one run over the 30,000 flows, with JSON
        strace -f -qq -e trace=clone,clone3 -o "$tmp/strace" "$itm" -q --one-pass \
            --no-read-thread -r "$tmp/big.pcap" --json /dev/null "$@" >/dev/null 2>&1
        grep -c 'CLONE_THREAD' "$tmp/strace"
    }
    check "30,000 flows: the outputs get a thread of their own" test "$(bigclones)" -eq 1
    check "--no-output-thread writes them on the pipeline's" \
        test "$(bigclones --no-output-thread)" -eq 0
    check "the sample (under 16,384 flows) starts no output thread" \
        test "$(clones "$itm" -q --one-pass --no-read-thread -r "$site" --json /dev/null)" -eq 0
else
    echo "SKIP: reader thread checks (need strace, taskset and two CPUs)"
fi

# A file is read through a 64 KiB stdio buffer (glibc keeps its 4 KiB when setvbuf is given
# no buffer): the 265 KB attacks capture in five reads of 64 KiB (and one more where it is
# first opened to be checked), not 65 of 4 KiB; stdin too. (Only reads of 64 KiB are
# counted: a sanitizer's runtime reads files of its own 4 KiB at a time.)
if command -v strace >/dev/null; then
    reads() { # size, args...: reads of that many bytes asked for that returned data
        local size=$1
        shift
        strace -qq -f -e trace=read -o "$tmp/reads" "$itm" -q --one-pass "$@" \
            -r "$src/pcaps/attacks.pcap" >/dev/null 2>&1
        grep -c ", $size) = [1-9]" "$tmp/reads"
    }
    check "a capture is read 64 KiB at a time" test "$(reads 65536 --no-read-thread)" -eq 6
    check "the same on the reader thread" test "$(reads 65536)" -eq 6
    strace -qq -e trace=read -o "$tmp/reads" "$itm" -q --one-pass -r - \
        < "$src/pcaps/attacks.pcap" >/dev/null 2>&1
    check "and from stdin" test "$(grep -c ', 65536) = [1-9]' "$tmp/reads")" -eq 5
    # and outputs are written through 64 KiB buffers of their own: the attacks' JSON (about
    # 125 KB) in one full write and a last one, not in 4 KiB ones
    strace -qq -f -e trace=write -o "$tmp/writes" "$itm" -q --one-pass \
        -r "$src/pcaps/attacks.pcap" --json "$tmp/w.json" >/dev/null 2>&1
    check "an output is written 64 KiB at a time" \
        test "$(grep -c ', 65536) = 65536$' "$tmp/writes")" -eq $(($(stat -c %s "$tmp/w.json") / 65536))
else
    echo "SKIP: read size checks (need strace)"
fi

# --rotate: the period files, in name order, hold the lines of one file; a second run within
# the same periods appends to them (docs/report.md)
mkdir -p "$tmp/rot" "$tmp/rot1"
"$itm" -q -r "$src/pcaps/attacks.pcap" --rotate 5 --json "$tmp/rot/ev.json"
"$itm" -q -r "$src/pcaps/attacks.pcap" --json "$tmp/rot-one.json"
cp "$tmp"/rot/ev.json.* "$tmp/rot1/"
check "--rotate 5: several files" test "$(ls "$tmp/rot" | wc -l)" -gt 2
badnames=0
for f in "$tmp"/rot/*; do
    n=${f##*/}
    [[ $n =~ ^ev\.json\.[0-9]{8}T[0-9]{6}Z$ ]] && [ $((10#${n:21:2} % 5)) -eq 0 ] ||
        badnames=$((badnames + 1))
done
check "--rotate: files named FILE.YYYYmmddTHHMMSSZ on 5-second boundaries" test "$badnames" -eq 0
check "--rotate: the files in order are the one file" cmp -s \
    <(cat $(ls -d "$tmp"/rot/ev.json.* | sort)) "$tmp/rot-one.json"
"$itm" -q -r "$src/pcaps/attacks.pcap" --rotate 5 --json "$tmp/rot/ev.json"
appended=0
for f in "$tmp"/rot1/*; do
    cmp -s "$tmp/rot/${f##*/}" <(cat "$f" "$f") && appended=$((appended + 1))
done
check "--rotate: a second run appends to each period's file" \
    test "$appended" -eq "$(ls "$tmp/rot1" | wc -l)"

check "--list-signatures lists all 101 rules" test "$("$itm" --list-signatures | tail -n +2 | wc -l)" -eq 101
check "--check-signatures accepts the bundled database" \
    "$itm" --check-signatures "$src/signatures/itms.sig" >/dev/null
printf '[rule]\nid = x\nproto = tcpx\n' > "$tmp/bad.sig"
"$itm" --check-signatures "$tmp/bad.sig" 2> "$tmp/bad.err" >/dev/null
rc=$?
check "--check-signatures refuses a bad file with exit 2" test "$rc" -eq 2
check "and names file:line:col" grep -q "^$tmp/bad.sig:3:" "$tmp/bad.err"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
