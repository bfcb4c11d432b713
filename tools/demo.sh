#!/usr/bin/env bash
# Sets up, builds, and runs itmscope on the bundled sample capture of a small ITMS site:
# the audit report on stdout, and the JSON events in build/demo.json.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
[ -d build ] || meson setup build --buildtype=release >/dev/null
ninja -C build >/dev/null
build/src/itmscope -r pcaps/site.pcap -S pcaps/site.site --json build/demo.json "$@"
echo "JSON events: build/demo.json ($(wc -l < build/demo.json) lines)" >&2
