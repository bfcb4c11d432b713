#!/usr/bin/env bash
# bench.sh: throughput of itmscope against the libpcap floor (tools/pcap-floor.c, the same
# fopen + 1 MiB setvbuf reading with nothing behind it). Run by hand, never by the test
# suite: it prints figures, it does not pass or fail. See docs/performance.md.
#
# Usage: tools/bench.sh [BUILD_DIR]        (default build-bench, configured --buildtype=release)
# Environment:
#   RUNS=5            alternating runs per program and capture (0: only the callgrind part)
#   PACKETS=5000000   packets per generated capture
#   MODES="one-pass one-pass-json two-pass two-pass-json"   itmscope runs to measure; also
#                     one-pass-quiet, one-pass-json-quiet, two-pass-quiet (-q: no report),
#                     one-pass-all (the report, the matrix and the allow rules at once: every
#                     aggregate model), and any of them with -nort (--no-read-thread: the
#                     file read on the pipeline's thread rather than on a second CPU)
#   CAPTURES="many long"   many: ~1M short flows, 65,536 open at a time; long: 1,000 flows
#   CALLGRIND=1       instructions per packet on a cut of CUT packets (0: skip)
#   CUT=200000
#   ITMSCOPE=PATH     another itmscope binary (e.g. a copy of an older build), same captures
#   BASELINE=PATH     also time this binary in every mode, alternating with the others in
#                     the same session (before/after figures under the same load)
# Captures are generated once with itms-gen's bench scenario into BUILD_DIR and reused.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-build-bench}
runs=${RUNS:-5}
packets=${PACKETS:-5000000}
modes=${MODES:-one-pass one-pass-json two-pass two-pass-json}
captures=${CAPTURES:-many long}
cut=${CUT:-200000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# a release build with link-time optimisation, as docs/performance.md recommends for speed
if [ ! -d "$build" ]; then
    meson setup "$build" --buildtype=release -Db_lto=true >/dev/null
fi
buildtype=$(meson introspect --buildoptions "$build" |
    jq -r '.[] | select(.name=="buildtype") | .value')
lto=$(meson introspect --buildoptions "$build" | jq -r '.[] | select(.name=="b_lto") | .value')
if [ "$buildtype" != release ] || [ "$lto" != true ]; then
    echo "bench: warning: $build is not a release build with -Db_lto=true;" \
        "figures will not be comparable" >&2
fi
ninja -C "$build" src/itmscope tools/pcap-floor tools/itms-gen >/dev/null

itm=${ITMSCOPE:-$build/src/itmscope}
baseline=${BASELINE:-}
floor=$build/tools/pcap-floor
gen=$build/tools/itms-gen

capture_file() { echo "$build/bench-$1-$packets.pcap"; }

make_capture() { # name
    local f; f=$(capture_file "$1")
    [ -s "$f" ] && return
    echo "bench: generating $f" >&2
    case $1 in
    many)
        "$gen" bench -w "$f.tmp" --packets "$packets" --flows $((packets / 5)) --concurrent 65536
        ;;
    long) "$gen" bench -w "$f.tmp" --packets "$packets" --flows 1000 --concurrent 1000 ;;
    *) echo "bench: unknown capture $1" >&2; exit 2 ;;
    esac
    mv "$f.tmp" "$f"
}

# The first N records of a pcap, as a classic pcap like the capture itself.
cut_capture() { # in out n
    [ -s "$2" ] && return
    python3 tools/pcap-cut.py "$1" "$2" "$3"
}

# One timed run: prints "cpu_seconds wall_seconds maxrss_kib".
timed() {
    /usr/bin/time -f '%U %S %e %M' -o "$tmp/time" "$@" >"$tmp/out" 2>"$tmp/err" || {
        echo "bench: failed: $*" >&2; cat "$tmp/err" >&2; exit 1; }
    awk '{ printf "%.2f %.2f %d\n", $1 + $2, $3, $4 }' "$tmp/time"
}

# Modes: the default output (the report, on stdout, which timed() sends to a file), the same
# with --json to a file, each in one pass and in the default two-pass offline mode; "quiet"
# (-q: no report) isolates the pipeline.
itm_args() { # mode capture-file json-file
    # MODE-nort: the same with the file read on the pipeline's thread (--no-read-thread)
    case $1 in
    *-nort) echo "--no-read-thread $(itm_args "${1%-nort}" "$2" "$3")"; return ;;
    esac
    case $1 in
    one-pass) echo "--one-pass -r $2" ;;
    one-pass-json) echo "--one-pass -r $2 --json $3" ;;
    one-pass-quiet) echo "-q --one-pass -r $2" ;;
    one-pass-all) echo "--one-pass -r $2 --report $3.report --matrix $3.matrix --rules nft" ;;
    one-pass-json-quiet) echo "-q --one-pass -r $2 --json $3" ;;
    two-pass) echo "-r $2" ;;
    two-pass-json) echo "-r $2 --json $3" ;;
    two-pass-quiet) echo "-q -r $2" ;;
    *) echo "bench: unknown mode $1" >&2; exit 2 ;;
    esac
}

calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
# stat FILE COLUMN median|min: over the runs in FILE (one line per run)
stat() {
    awk -v c="$2" '{ print $c }' "$1" | sort -g |
        awk -v how="$3" '{ v[NR] = $1 }
            END { if (how == "min") print v[1]
                  else print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo "bench: $(date -u +%FT%TZ) $(uname -m), $(nproc) cpu, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "bench: $runs runs each, alternating. Packets/s from CPU time (user+sys) of the best run"
echo "bench: (the least disturbed by other load) and of the median one; each ratio is to the"
echo "bench: floor's same statistic; then the ratios of the best and of the median wall-clock"
echo "bench: times (with a second CPU reading the file, wall-clock is what a user waits for and"
echo "bench: CPU time what the pipeline costs: both are shown)."
for cap in $captures; do
    [ "$runs" -gt 0 ] || break
    make_capture "$cap"
    f=$(capture_file "$cap")
    : >"$tmp/floor"
    all=$modes
    if [ -n "$baseline" ]; then
        for m in $modes; do all="$all base-$m"; done
    fi
    for m in $all; do : >"$tmp/$m"; done
    for ((i = 0; i < runs; i++)); do
        timed "$floor" "$f" >>"$tmp/floor"
        for m in $all; do
            bin=$itm
            [ "${m#base-}" != "$m" ] && bin=$baseline
            # shellcheck disable=SC2046
            timed "$bin" $(itm_args "${m#base-}" "$f" "$tmp/events.json") >>"$tmp/$m"
            if [ "${m%-quiet}" = one-pass-json ] && [ ! -s "$tmp/flows-$cap" ]; then
                tail -n 1 "$tmp/events.json" |
                    jq -r '.stats.flows | "\(.created) \(.active_max)"' >"$tmp/flows-$cap"
            fi
        done
    done
    echo
    echo "== capture $cap: $f"
    active=0
    if [ -s "$tmp/flows-$cap" ]; then
        read -r created active <"$tmp/flows-$cap"
        echo "   flows: $created created, $active tracked at once (peak)"
    fi
    printf '   %-30s %10s %6s %10s %6s %9s %8s %10s %7s\n' program best-pkt/s ratio median ratio \
        wall-best wall-med peak-RSS B/flow
    for m in floor $all; do
        best=$(stat "$tmp/$m" 1 min)
        med=$(stat "$tmp/$m" 1 median)
        wall=$(stat "$tmp/$m" 2 median)
        wbest=$(stat "$tmp/$m" 2 min)
        rss=$(stat "$tmp/$m" 3 median)
        bpf=-
        if [ "$m" != floor ] && [ "$active" -gt 0 ]; then
            bpf=$(calc "$rss * 1024 / $active" | cut -d. -f1)
        fi
        name="itmscope $m"
        [ "$m" = floor ] && name=floor
        [ "${m#base-}" != "$m" ] && name="baseline ${m#base-}"
        printf '   %-30s %10.0f %6.3f %10.0f %6.3f %9.3f %8.3f %8d K %7s\n' "$name" \
            "$(calc "$packets / $best")" "$(calc "$(stat "$tmp/floor" 1 min) / $best")" \
            "$(calc "$packets / $med")" "$(calc "$(stat "$tmp/floor" 1 median) / $med")" \
            "$(calc "$(stat "$tmp/floor" 2 min) / $wbest")" \
            "$(calc "$(stat "$tmp/floor" 2 median) / $wall")" "$rss" "$bpf"
    done
    for m in one-pass-json two-pass-json one-pass-json-quiet; do
        base=${m/-json/}
        if [ -s "$tmp/$m" ] && [ -s "$tmp/$base" ]; then
            printf '   JSON cost (%s): %.1f%% of throughput (best runs), %.1f%% (medians)\n' \
                "$base" \
                "$(calc "100 * (1 - $(stat "$tmp/$base" 1 min) / $(stat "$tmp/$m" 1 min))")" \
                "$(calc "100 * (1 - $(stat "$tmp/$base" 1 median) / $(stat "$tmp/$m" 1 median))")"
        fi
    done
done

if [ "${CALLGRIND:-1}" = 1 ] && command -v valgrind >/dev/null; then
    echo
    echo "== instructions per packet (callgrind, first $cut packets; fixed start-up cost removed)"
    printf '   %-8s %-22s %14s %10s\n' capture program instructions per-packet
    python3 -c 'import sys; open(sys.argv[1], "wb").write(bytes.fromhex(
        "d4c3b2a1020004000000000000000000ffff000001000000"))' "$tmp/empty.pcap"
    ir() { # program args...: total instructions
        valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$@" >/dev/null 2>"$tmp/cg.err"
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$tmp/cg.err"
    }
    for cap in $captures; do
        c=$build/bench-$cap-$packets-cut$cut.pcap
        cut_capture "$(capture_file "$cap")" "$c" "$cut"
        for prog in floor one-pass-quiet one-pass one-pass-json two-pass; do
            if [ $prog = floor ]; then
                base=$(ir "$floor" "$tmp/empty.pcap"); total=$(ir "$floor" "$c")
            else
                # --seed: the same flow-table buckets in every run; --no-read-thread: the
                # pipeline's own instructions, without the reader's wait for its slots
                # shellcheck disable=SC2046
                base=$(ir "$itm" --seed 1 --no-read-thread \
                    $(itm_args "$prog" "$tmp/empty.pcap" "$tmp/cg.json"))
                # shellcheck disable=SC2046
                total=$(ir "$itm" --seed 1 --no-read-thread $(itm_args "$prog" "$c" "$tmp/cg.json"))
            fi
            printf '   %-8s %-22s %14d %10.0f\n' "$cap" "$prog" "$total" \
                "$(calc "($total - $base) / $cut")"
        done
    done
fi
