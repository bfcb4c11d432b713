#!/usr/bin/env bash
# callgrind.sh: where itmscope's instructions go, per pipeline stage, on one capture (or the
# first N packets of it). Instruction counts do not drift with machine load, so this is
# the figure to compare before and after a change. Run by hand; see docs/performance.md.
#
# Usage: tools/callgrind.sh [-n PACKETS] CAPTURE [ITMSCOPE OPTIONS...]
#   e.g. tools/callgrind.sh -n 200000 build-bench/bench-many-5000000.pcap --one-pass -q
# Builds build-prof (release with debug info: the stages come from source file names) and
# prints instructions per packet for each stage, then the 25 costliest functions. The hash
# of src/hash.c counts with the classifier, whose tables use it.
set -euo pipefail
cd "$(dirname "$0")/.."

count=0
if [ "${1:-}" = -n ]; then
    count=$2
    shift 2
fi
[ $# -ge 1 ] || { sed -n 5,6p "$0" >&2; exit 2; }
cap=$1
shift
prof=${PROF_BUILD:-build-prof}
tmp=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT

# LTO=1: link-time optimisation (build-prof-lto), as tools/bench.sh builds. Functions
# inlined across files then count with their caller's file, so the split by stage is
# only exact without it.
if [ -n "${LTO:-}" ] && [ -z "${PROF_BUILD:-}" ]; then
    prof=build-prof-lto
fi
if [ ! -d "$prof" ]; then
    lto=false
    [ -n "${LTO:-}" ] && lto=true
    meson setup "$prof" --buildtype=release -Ddebug=true -Dtests=false -Db_lto=$lto >/dev/null
fi
ninja -C "$prof" src/itmscope >/dev/null

if [ "$count" -gt 0 ]; then
    python3 tools/pcap-cut.py "$cap" "$tmp/cut.pcap" "$count"
    cap=$tmp/cut.pcap
fi
packets=$(capinfos -Mc "$cap" 2>/dev/null | awk '/Number of packets/ {print $NF}')
if [ -z "$packets" ]; then
    packets=$(tshark -r "$cap" -T fields -e frame.number 2>/dev/null | tail -n 1)
fi
# The same options on a capture without packets: the fixed start-up cost (loading the
# signatures, the site) is taken off function by function.
python3 -c 'import sys; open(sys.argv[1], "wb").write(bytes.fromhex(
    "d4c3b2a1020004000000000000000000ffff000001000000"))' "$tmp/empty.pcap"
for run in empty full; do
    input=$cap
    [ $run = empty ] && input=$tmp/empty.pcap
    # --seed fixes the flow table's hash so that two runs walk the same buckets;
    # --no-read-thread keeps the reader's spin for its slots out of the counts
    valgrind --tool=callgrind --callgrind-out-file="$tmp/$run.out" "$prof/src/itmscope" \
        --seed 1 --no-read-thread -r "$input" "$@" >/dev/null 2>"$tmp/err" ||
        { cat "$tmp/err" >&2; exit 1; }
    callgrind_annotate --threshold=100 "$tmp/$run.out" >"$tmp/$run.ann" 2>/dev/null
done

python3 - "$tmp/full.ann" "$tmp/empty.ann" "$packets" src <<'EOF'
import os, re, sys
ann, empty, packets, srcdir = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
# which stage a source file belongs to
def stage_of_file(base):
    rules = [('decode', ('decode-', 'cursor.h')), ('flow table', ('flow-table.c', 'frag.c')),
             ('engine', ('engine.c', 'capture-pcap.c')),
             ('classifier', ('classify', 'roles.c', 'expect.c', 'policy.c', 'sigdb-', 'site',
                             'inspect', 'hash.c')),
             ('outputs', ('out-', 'jsonw', 'report'))]
    for stage, prefixes in rules:
        if base.startswith(prefixes):
            return stage
    return 'common (names, proto bits, main)'
# functions inlined from system headers are charged to the file that defines them
defined = {}
for name in os.listdir(srcdir):
    if name.endswith('.c'):
        text = open(os.path.join(srcdir, name)).read()
        for m in re.finditer(r'^[a-z][^\n;]*?\b(\w+)\(', text, re.M):
            defined.setdefault(m.group(1), name)
# "Ir (pct)  file:function [object]"; code inlined from a header has no [object]
line = re.compile(r'^\s*([\d,]+) \([^)]*\)\s+(\S+?):(\S+)(?:\s+\[(.*)\])?\s*$')

def read(path):
    costs, total = {}, 0
    for l in open(path):
        if 'PROGRAM TOTALS' in l:
            total = int(l.split()[0].replace(',', ''))
        m = line.match(l)
        if m:
            obj = m.group(4) or ('libc.so (inlined)' if m.group(2).startswith('./') else '')
            key = (m.group(2), m.group(3), obj)
            costs[key] = costs.get(key, 0) + int(m.group(1).replace(',', ''))
    return costs, total

full, total = read(ann)
base, base_total = read(empty)
total -= base_total
stages, funcs = {}, []
for (path, func, obj), ir in full.items():
    ir -= base.get((path, func, obj), 0)
    if ('libpcap' in obj or func in ('fread', '__fread_chk') or
            func.startswith(('_IO_', '__underflow'))):
        st = 'read (libpcap, stdio)'
    elif 'libc.so' in obj or 'ld-linux' in obj:
        st = 'libc (memcpy, malloc, ...)'
    else:
        base_name = os.path.basename(path)
        if not base_name.endswith('.c') or base_name == 'cursor.h':
            base_name = defined.get(func, base_name)
        st = stage_of_file(base_name)
    stages[st] = stages.get(st, 0) + ir
    funcs.append((ir, func, st))
print(f'{packets} packets, {total:,} instructions after start-up, {total / packets:.0f} per packet')
for st, ir in sorted(stages.items(), key=lambda kv: -kv[1]):
    print(f'  {st:30s} {ir / packets:8.0f} per packet  {100 * ir / total:5.1f}%')
top = int(os.environ.get('TOP', '25'))
print(f'costliest functions (exclusive, per packet; TOP={top}):')
for ir, func, st in sorted(funcs, reverse=True)[:top]:
    print(f'  {ir / packets:8.1f}  {func}  ({st})')
EOF
