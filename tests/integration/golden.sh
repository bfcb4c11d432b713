#!/usr/bin/env bash
# golden.sh: runs each line of tests/golden/TESTLIST through itmscope and compares what it
# prints with the expected file; ITMSCOPE_REGEN=1 rewrites the expectations instead, for a
# reviewer to read as a diff. It never edits a capture and never decides what is correct.
#
# Usage: golden.sh ITMSCOPE SOURCE_ROOT
# TESTLIST lines: NAME CAPTURE [ARGUMENTS...] EXPECTED; paths relative to the source root.
# Exit: 0 all matched, 1 a mismatch, 77 (skip) when no listed capture exists yet.
set -u

itmscope=$(realpath "$1")
cd "$2" || exit 1
list=tests/golden/TESTLIST
ran=0 failed=0 skipped=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

while read -r line; do
    case $line in '' | '#'*) continue ;; esac
    read -r -a f <<<"$line"
    n=${#f[@]}
    if [ "$n" -lt 3 ]; then
        echo "TESTLIST: bad line: $line" >&2
        failed=$((failed + 1))
        continue
    fi
    name=${f[0]} capture=${f[1]} expected=tests/golden/${f[n - 1]}
    args=("${f[@]:2:n-3}")
    if [ ! -e "$capture" ]; then
        echo "SKIP $name: $capture does not exist yet"
        skipped=$((skipped + 1))
        continue
    fi
    ran=$((ran + 1))
    # a fixed seed, though no output may depend on it: the diff would show if one did
    "$itmscope" -r "$capture" --seed 1 "${args[@]}" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
        echo "FAIL $name: exit status $rc"
        sed 's/^/    /' "$tmp/err"
        failed=$((failed + 1))
        continue
    fi
    if [ "${ITMSCOPE_REGEN:-0}" = 1 ]; then
        cp "$tmp/out" "$expected"
        echo "REGEN $name -> $expected"
    elif [ ! -e "$expected" ]; then
        echo "FAIL $name: $expected is missing (ITMSCOPE_REGEN=1 writes it)"
        failed=$((failed + 1))
    elif ! diff -u "$expected" "$tmp/out" >"$tmp/diff"; then
        echo "FAIL $name: output differs from $expected"
        head -n 60 "$tmp/diff"
        failed=$((failed + 1))
    else
        echo "ok   $name"
    fi
done <"$list"

echo "golden: $ran run, $failed failed, $skipped skipped"
[ "$failed" -gt 0 ] && exit 1
[ "$ran" -eq 0 ] && exit 77
exit 0
