#!/usr/bin/env bash
# make-pcaps.sh: regenerates the sample captures of pcaps/ (site, attacks, edge), each with
# its truth table (.truth.jsonl) and site file (.site), from fixed seeds with itms-gen.
# Never edit those files by hand: change the generator, rerun this, review the diff.
#
# usage: tools/make-pcaps.sh [ITMS_GEN_BINARY [OUTPUT_DIR]]
#   ITMS_GEN_BINARY  default: build/tools/itms-gen under the source tree
#   OUTPUT_DIR       default: pcaps/ under the source tree (the regen test uses a temp dir)
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
gen=${1:-$src/build/tools/itms-gen}
out=${2:-$src/pcaps}

if [[ ! -x $gen ]]; then
    echo "make-pcaps.sh: no itms-gen at '$gen' (build it, or pass its path)" >&2
    exit 2
fi
mkdir -p "$out"

# scenario and seed; changing a seed changes every byte of that capture
for entry in site:1 attacks:2 edge:3; do
    scenario=${entry%%:*}
    seed=${entry##*:}
    "$gen" "$scenario" -s "$seed" -w "$out/$scenario.pcap" \
        --truth "$out/$scenario.truth.jsonl" --site-out "$out/$scenario.site"
done
