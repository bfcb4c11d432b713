#!/usr/bin/env bash
# fuzz.sh: builds the libFuzzer targets once (build-fuzz: clang, ASan+UBSan, -Dfuzz=true)
# and runs one target for a number of seconds over a seed corpus made from the project's
# own captures and text files. It never edits the sources: a crash input is left in
# build-fuzz/crashes/TARGET/ to be copied into tests/regress/TARGET/.
#
# usage: tools/fuzz.sh TARGET SECONDS     run one target; exit 1 on a crash, 2 on misuse
#        tools/fuzz.sh --list             print the target names, one per line
set -uo pipefail
cd "$(dirname "$0")/.."

targets=(fuzz_decode fuzz_pipeline fuzz_sigdb fuzz_site)
if [ "${1:-}" = "--list" ]; then
    printf '%s\n' "${targets[@]}"
    exit 0
fi
if [ $# -ne 2 ] || ! [[ "$2" =~ ^[0-9]+$ ]] || [ "$2" -lt 1 ]; then
    echo "usage: tools/fuzz.sh TARGET SECONDS | --list" >&2
    exit 2
fi
target=$1
seconds=$2
case " ${targets[*]} " in
    *" $target "*) ;;
    *) echo "fuzz.sh: unknown target '$target' (tools/fuzz.sh --list)" >&2; exit 2 ;;
esac

dir=build-fuzz
# One build at a time, however many runs were started together: the lock is this script.
exec 9<"$0"
flock 9
if [ ! -f "$dir/build.ninja" ]; then
    if ! log=$(CC=clang meson setup "$dir" -Dfuzz=true -Dtests=false -Dtools=false \
            -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false 2>&1); then
        echo "$log" >&2
        echo "fuzz.sh: cannot configure $dir" >&2
        exit 2
    fi
fi
if ! ninja -C "$dir" "fuzz/$target" >"$dir/fuzz-build.log" 2>&1; then
    tail -n 40 "$dir/fuzz-build.log" >&2
    echo "fuzz.sh: build of $target failed" >&2
    exit 2
fi
flock -u 9

case "$target" in
    fuzz_decode) max_len=4096; dict= ;;
    fuzz_pipeline) max_len=16384; dict= ;;
    fuzz_sigdb) max_len=65536; dict=fuzz/sigdb.dict ;;
    fuzz_site) max_len=16384; dict=fuzz/site.dict ;;
esac
corpus=$dir/corpus/$target
seeds=$dir/seeds/$target
crashes=$dir/crashes/$target
mkdir -p "$corpus" "$crashes"
python3 tools/fuzz-seeds.py "$target" "$seeds" "$max_len" || exit 2

args=(-max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048
      -print_final_stats=1 -artifact_prefix="$crashes/")
[ -n "$dict" ] && args+=(-dict="$dict")
# UBSan findings abort like ASan's, so libFuzzer sees them as crashes
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:${UBSAN_OPTIONS:-}
export ASAN_OPTIONS=detect_leaks=1:${ASAN_OPTIONS:-}
before=$(find "$crashes" -type f | wc -l)
"$dir/fuzz/$target" "${args[@]}" "$corpus" "$seeds"
rc=$?
after=$(find "$crashes" -type f | wc -l)
if [ "$rc" -ne 0 ] || [ "$after" -gt "$before" ]; then
    echo "fuzz.sh: $target crashed (exit $rc); inputs in $crashes/:" >&2
    ls -t "$crashes" | head -n 5 >&2
    echo "fuzz.sh: replay with $dir/fuzz/$target FILE; keep it in tests/regress/$target/" >&2
    exit 1
fi
echo "fuzz.sh: $target ran ${seconds}s without a crash"
