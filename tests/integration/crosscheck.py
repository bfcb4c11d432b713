#!/usr/bin/env python3
"""Cross-checks itmscope's TCP and UDP flow packet counts against tshark's conversation
tables (tshark -q -z conv,tcp -z conv,udp) on the same captures.

usage: crosscheck.py ITMSCOPE EXCEPTIONS_FILE CAPTURE_OR_DIR...

Both tools key conversations by (protocol, address/port pair). itmscope runs with very long
idle timeouts so that it, like tshark, keeps one conversation per 5-tuple for the whole
capture. A capture that disagrees must be listed in EXCEPTIONS_FILE with the reason (tunnels,
reassembly, ...); a listed capture that agrees is reported too, so the list stays honest.
Prints one line per capture and a closing "N passed, N failed" line.
"""
import concurrent.futures
import json
import os
import re
import subprocess
import sys

CONV_RE = re.compile(r"^(\S+)\s+<->\s+(\S+)\s+(\d[\d,]*)\s+\S+(?:\s+\S+)?\s+(\d[\d,]*)\s+")


def split_endpoint(ep):
    addr, _, port = ep.rpartition(":")
    return addr, int(port)


def tshark_convs(path):
    out = subprocess.run(
        ["tshark", "-n", "-r", path, "-q", "-z", "conv,tcp", "-z", "conv,udp"],
        capture_output=True, text=True, timeout=300)
    convs = {}
    proto = None
    for line in out.stdout.splitlines():
        if line.startswith("TCP Conversations"):
            proto = "TCP"
            continue
        if line.startswith("UDP Conversations"):
            proto = "UDP"
            continue
        if proto is None or "<->" not in line:
            continue
        parts = line.split()
        try:
            a = split_endpoint(parts[0])
            b = split_endpoint(parts[2])
        except (ValueError, IndexError):
            continue
        nums = [p.replace(",", "") for p in parts[3:]]
        # columns: frames bytes(unit) | frames bytes(unit) | total frames ...
        frames = [int(n) for n in nums if n.isdigit()]
        total = None
        # the "Total" frames is the third frame count; bytes may be "123 bytes" or "1 kB"
        tokens = parts[3:]
        counts = []
        i = 0
        while i < len(tokens) and len(counts) < 3:
            counts.append(int(tokens[i].replace(",", "")))
            i += 2  # skip the byte figure
            if i < len(tokens) and tokens[i] in ("bytes", "kB", "MB", "GB"):
                i += 1
        if len(counts) == 3:
            total = counts[2]
        elif frames:
            total = frames[0]
        key = (proto,) + tuple(sorted([a, b]))
        convs[key] = convs.get(key, 0) + total
    return convs, out.returncode


def itmscope_convs(binary, path):
    out = subprocess.run(
        [binary, "-q", "--one-pass", "--timeout", "all=100000000", "--json", "-", "-r", path],
        capture_output=True, text=True, timeout=300)
    convs = {}
    for line in out.stdout.splitlines():
        ev = json.loads(line)
        if ev.get("event_type") != "flow" or ev["proto"] not in ("TCP", "UDP"):
            continue
        a = (ev["src_ip"], ev["src_port"])
        b = (ev["dest_ip"], ev["dest_port"])
        key = (ev["proto"],) + tuple(sorted([a, b]))
        convs[key] = convs.get(key, 0) + ev["flow"]["pkts_toserver"] + ev["flow"]["pkts_toclient"]
    return convs, out.returncode, out.stderr


def load_exceptions(path):
    exc = {}
    if not os.path.exists(path):
        return exc
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, _, reason = line.partition(" ")
            exc[name] = reason.strip()
    return exc


def captures(args):
    for a in args:
        if os.path.isdir(a):
            for n in sorted(os.listdir(a)):
                if re.search(r"\.(pcap|pcapng|cap)$", n):
                    yield os.path.join(a, n)
        else:
            yield a


def check(binary, path, exceptions):
    """Compares one capture; returns (ok, lines to print)."""
    name = os.path.basename(path)
    ours, rc, err = itmscope_convs(binary, path)
    if rc not in (0, 1) or "Sanitizer" in err or "runtime error" in err:
        return False, [f"FAIL {name}: itmscope exit {rc}: {err.strip()[:300]}"]
    theirs, _ = tshark_convs(path)
    diff = []
    for key in sorted(set(ours) | set(theirs)):
        if ours.get(key) != theirs.get(key):
            diff.append(f"{key[0]} {key[1][0]}:{key[1][1]} <-> {key[2][0]}:{key[2][1]} "
                        f"itmscope={ours.get(key)} tshark={theirs.get(key)}")
    if name in exceptions:
        if diff:
            return True, [f"ok   {name}: {len(diff)} conversations differ, as listed: "
                          f"{exceptions[name]}"]
        return False, [f"FAIL {name}: listed as an exception but agrees: remove it"]
    if diff:
        return False, [f"FAIL {name}: {len(diff)} of {len(theirs)} conversations differ:"] + \
            [f"       {d}" for d in diff[:8]]
    return True, [f"ok   {name}: {len(theirs)} conversations agree"]


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    binary, exc_file = sys.argv[1], sys.argv[2]
    exceptions = load_exceptions(exc_file)
    paths = list(captures(sys.argv[3:]))
    # both tools run per capture; the captures are independent, so use every core
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = list(pool.map(lambda p: check(binary, p, exceptions), paths))
    passed = failed = 0
    for ok, lines in results:
        for line in lines:
            print(line)
        if ok:
            passed += 1
        else:
            failed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
