#!/usr/bin/env bash
# valgrind.sh: itmscope under valgrind memcheck, once for leaks and invalid accesses: a sample
# capture through every output, a capture cut short, a rejected site file and a bad option;
# then helgrind over the reader thread and the outputs' thread.
# Any memcheck error or leak (definite, indirect, possible) fails the test. Skips (exit 77)
# without valgrind or on a sanitizer build, which valgrind cannot run.
#
# usage: valgrind.sh ITMSCOPE
set -uo pipefail
itm=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)

if ! command -v valgrind >/dev/null; then
    echo "skip: valgrind not installed (apt-get install valgrind)"
    exit 77
fi
if grep -q -a -m1 __asan_init "$itm"; then
    echo "skip: $itm is an AddressSanitizer build; valgrind needs a plain one"
    exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# Older valgrind cannot read the DWARF 5 debug information clang writes
valgrind -q --log-file="$T/probe.vg" "$itm" --version >/dev/null 2>&1
if grep -q -e "debuginfo reader" -e "unhandled dwarf2" "$T/probe.vg"; then
    echo "skip: this valgrind cannot read $itm's debug information (clang's DWARF 5?);" \
         "use a gcc build or -gdwarf-4"
    exit 77
fi
python3 "$here/make-bad-captures.py" "$T" || exit 1

sample=$src/pcaps/site.pcap
site=(-S "$src/pcaps/site.site")
if [ ! -f "$sample" ]; then
    echo "note: $sample not found, using a small generated capture"
    sample=$T/good.pcap
    site=()
fi

pass=0
fail=0
# vg TOOL NAME WANT_RC ARGS...: the valgrind tool (memcheck, helgrind) must be silent and
# itmscope must exit WANT_RC
vg() {
    local tool=$1 name=$2 want=$3; shift 3
    local opts=(--error-exitcode=99)
    if [ "$tool" = memcheck ]; then
        opts+=(--leak-check=full --show-leak-kinds=definite,indirect,possible
               --errors-for-leak-kinds=definite,indirect,possible)
    fi
    valgrind -q --tool="$tool" "${opts[@]}" --log-file="$T/$name.vg" "$itm" "$@" \
        >"$T/$name.out" 2>"$T/$name.err"
    local rc=$?
    if [ $rc -eq 99 ] || [ -s "$T/$name.vg" ]; then
        fail=$((fail + 1))
        echo "FAIL $name: $tool reported:"
        head -n 60 "$T/$name.vg"
    elif [ $rc -ne "$want" ]; then
        fail=$((fail + 1))
        echo "FAIL $name: exit $rc, want $want: $(head -c 400 "$T/$name.err")"
    else
        pass=$((pass + 1))
        echo "ok $name"
    fi
}
check() { vg memcheck "$@"; }

check sample 0 -q -r "$sample" "${site[@]}" --json "$T/out.json" --report "$T/report.txt" \
    --csv "$T/flows.csv" -w "$T/evidence.pcap" --matrix "$T/matrix.csv" --rules nft --roles
check two-inputs 0 -q -r "$T/good.pcap" -r "$T/good.pcapng" --json "$T/two.json"
check cut 0 -q -r "$T/cut.pcap" --json "$T/cut.json"
check damaged 2 -q -r "$T/damaged.pcapng" --json "$T/damaged.json"
printf '[roles]\n10.0.0.300 agent\n' >"$T/bad.site"
check bad-site 2 -q -r "$T/good.pcap" -S "$T/bad.site"
check bad-option 2 -r "$T/good.pcap" --max-flows 0

# The reader thread, the outputs' thread and the pipeline under helgrind (data races, lock
# order, misuse of the pthread API): a sample through every output, a capture cut short,
# where the end travels with the reader's last slot, and enough flows to start the outputs'
# thread.
race() { vg helgrind "$@"; }
if [ "$(getconf _NPROCESSORS_ONLN)" -gt 1 ]; then
    race threads-sample 0 -q -r "$sample" "${site[@]}" --json "$T/hg.json" --report "$T/hg.txt" \
        -w "$T/hg.pcap"
    race threads-cut 0 -q -r "$T/cut.pcap" --json "$T/hg-cut.json"
    # the outputs' thread: 20,000 flows ended at the end, past the 16,384 that start it
    python3 "$src/tools/flood-pcap.py" "$T/big.pcap" --packets 20000 --mix 2,0,1 --seed 5
    race threads-outputs 0 -q --one-pass -r "$T/big.pcap" --json "$T/hg-big.json" \
        --report "$T/hg-big.txt" --csv "$T/hg-big.csv"
else
    echo "note: one CPU: no reader thread to check with helgrind"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
