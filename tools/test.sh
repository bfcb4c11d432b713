#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite: unit and integration tests in a normal
# build with -Werror, the same again under ASan+UBSan, the tshark cross-check over the real
# captures in ../shared/corpus/real when they exist, and short fuzzing runs. Ends with one
# line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh || exit 1

passed=0
failed=0
record() { # name, exit code
    if [ "$2" -eq 0 ]; then passed=$((passed + 1)); echo "== $1: ok"; else failed=$((failed + 1)); echo "== $1: FAILED"; fi
}
count_meson() { # build dir: add meson's own test counts
    local log="$1/meson-logs/testlog.json"
    [ -f "$log" ] || return
    local ok fail
    ok=$(jq -s '[.[] | select(.result=="OK" or .result=="EXPECTEDFAIL" or .result=="SKIP")] | length' "$log")
    fail=$(jq -s '[.[] | select(.result!="OK" and .result!="EXPECTEDFAIL" and .result!="SKIP")] | length' "$log")
    passed=$((passed + ok)); failed=$((failed + fail))
}

build_and_test() { # dir, meson options...
    local dir="$1"; shift
    if [ ! -d "$dir" ]; then
        meson setup "$dir" -Dwerror=true "$@" >/dev/null || { record "configure $dir" 1; return; }
    fi
    if ! ninja -C "$dir" >"$dir.build.log" 2>&1; then
        cat "$dir.build.log"; record "build $dir" 1; return
    fi
    meson test -C "$dir" --print-errorlogs --num-processes 2 | tail -n 25
    count_meson "$dir"
}

build_and_test build
build_and_test build-asan -Db_sanitize=address,undefined -Db_lundef=false

corpus=../shared/corpus/real
if [ -d "$corpus" ]; then
    echo "== tshark cross-check on $corpus (ASan+UBSan build)"
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        python3 tests/integration/crosscheck.py build-asan/src/itmscope \
        tests/integration/crosscheck-exceptions.txt "$corpus" > build-asan/crosscheck.log 2>&1
    rc=$?
    grep -v '^ok ' build-asan/crosscheck.log | head -n 60
    record "tshark cross-check (corpus)" $rc
else
    echo "== skipped: tshark cross-check on the real corpus ($corpus not found)"
fi

if [ -x tools/fuzz.sh ] && [ "${ITMSCOPE_FUZZ_SECONDS:-30}" -gt 0 ]; then
    for t in $(tools/fuzz.sh --list); do
        tools/fuzz.sh "$t" "${ITMSCOPE_FUZZ_SECONDS:-30}" > "build/fuzz-$t.log" 2>&1
        rc=$?
        [ $rc -eq 0 ] || tail -n 30 "build/fuzz-$t.log"
        record "fuzz $t" $rc
    done
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
