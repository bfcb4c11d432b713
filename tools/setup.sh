#!/usr/bin/env bash
# Installs what itmscope needs to build and test, from Debian's packages. As root it runs
# apt-get; otherwise it prints the exact command and stops. Safe to run again: it installs
# only what is missing.
set -euo pipefail

pkgs=(gcc clang meson ninja-build pkg-config libpcap-dev uthash-dev libcmocka-dev libnet1-dev
      libcap-ng-dev libclang-rt-14-dev tshark jq valgrind python3 iproute2 strace
      nftables iptables ipset)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
    echo "itmscope setup: missing packages: ${missing[*]}" >&2
    echo "run as root:  $cmd" >&2
    exit 1
fi
echo "itmscope setup: installing ${missing[*]}" >&2
apt-get update -qq
# tshark asks whether non-root users may capture: answer no, non-interactively
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
