#!/usr/bin/env bash
# test_pcaps_regen.sh: checks that the captures, truth tables and site files in pcaps/ are
# exactly what tools/make-pcaps.sh regenerates with the itms-gen under test. It writes only
# into a temporary directory, never into the source tree.
#
# usage: test_pcaps_regen.sh ITMS_GEN_BINARY SOURCE_DIR
set -u

if [[ $# -ne 2 ]]; then
    echo "usage: $0 ITMS_GEN_BINARY SOURCE_DIR" >&2
    exit 2
fi
gen=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! bash "$src/tools/make-pcaps.sh" "$gen" "$tmp/out" 2>"$tmp/log"; then
    echo "make-pcaps.sh failed:"
    cat "$tmp/log"
    exit 1
fi

fail=0
for scenario in site attacks edge; do
    for ext in pcap truth.jsonl site; do
        f=$scenario.$ext
        if [[ ! -e $src/pcaps/$f ]]; then
            echo "missing: pcaps/$f (run tools/make-pcaps.sh)"
            fail=1
        elif ! cmp -s "$src/pcaps/$f" "$tmp/out/$f"; then
            echo "differs: pcaps/$f"
            cmp "$src/pcaps/$f" "$tmp/out/$f" | head -n 1
            if [[ $ext != pcap ]]; then
                diff -u "$src/pcaps/$f" "$tmp/out/$f" | head -n 20
            fi
            fail=1
        fi
    done
done
if [[ $fail -eq 0 ]]; then
    echo "pcaps/: all 9 files match a fresh regeneration"
fi
exit $fail
