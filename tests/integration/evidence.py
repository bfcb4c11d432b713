#!/usr/bin/env python3
"""evidence.py: the evidence pcap (-w) holds exactly the packets of the flagged flows.

Runs itmscope on a capture with --json and -w, then reads the pcap back with tshark (which
must accept it) and counts its packets per conversation; each must equal the packet count
of the flagged flow records with that 5-tuple in the JSON events, and no other conversation
may appear. Exit 0 on agreement, 1 on a difference, 77 (skip) without the capture or tshark.

Usage: evidence.py ITMSCOPE CAPTURE [itmscope arguments...]
"""
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile

FIELDS = ["ip.src", "ipv6.src", "ip.dst", "ipv6.dst", "ip.proto", "ipv6.nxt",
          "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport"]
PROTOS = {"TCP": 6, "UDP": 17, "ICMP": 1, "IPv6-ICMP": 58, "IGMP": 2}


def key(proto, a, pa, b, pb):
    """A direction-free conversation key."""
    ends = sorted([(a, pa), (b, pb)])
    return (proto, ends[0], ends[1])


def flagged_flows(json_path):
    """Packet counts of the flagged flows by conversation, and how many flows that is."""
    want = collections.Counter()
    nflows = 0
    with open(json_path, encoding="utf-8") as f:
        for line in f:
            ev = json.loads(line)
            if ev.get("event_type") != "flow" or not ev.get("flags"):
                continue
            nflows += 1
            proto = PROTOS.get(ev["proto"]) or int(ev["proto"].split("-")[1])
            ports = proto in (6, 17)
            k = key(proto, ev["src_ip"], ev.get("src_port", 0) if ports else 0,
                    ev["dest_ip"], ev.get("dest_port", 0) if ports else 0)
            want[k] += ev["flow"]["pkts_toserver"] + ev["flow"]["pkts_toclient"]
    return want, nflows


def first(value):
    """tshark lists every header's value (tunnels, ICMP quotes): the outer one counts."""
    return value.split(",")[0] if value else ""


def pcap_packets(pcap):
    """Packets of the pcap by conversation, as tshark decodes them."""
    cmd = ["tshark", "-n", "-r", pcap, "-T", "fields", "-E", "separator=\t"]
    for f in FIELDS:
        cmd += ["-e", f]
    res = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if res.returncode != 0:
        sys.exit(f"tshark cannot read the evidence pcap: {res.stderr.strip()}")
    got = collections.Counter()
    for line in res.stdout.splitlines():
        v = [first(x) for x in line.split("\t")]
        v += [""] * (len(FIELDS) - len(v))
        src, dst = v[0] or v[1], v[2] or v[3]
        proto = int(v[4] or v[5] or 0)
        sport = int(v[6] or v[8] or 0) if proto in (6, 17) else 0
        dport = int(v[7] or v[9] or 0) if proto in (6, 17) else 0
        got[key(proto, src, sport, dst, dport)] += 1
    return got


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    itmscope, capture, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
    if not os.path.exists(capture):
        print(f"SKIP: {capture} does not exist yet")
        return 77
    if not shutil.which("tshark"):
        print("SKIP: tshark is not installed")
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        js, pcap = os.path.join(tmp, "ev.json"), os.path.join(tmp, "ev.pcap")
        res = subprocess.run([itmscope, "-r", capture, "--json", js, "-w", pcap] + extra,
                             capture_output=True, text=True, check=False)
        if res.returncode not in (0, 1):
            sys.exit(f"itmscope failed ({res.returncode}): {res.stderr.strip()}")
        want, nflows = flagged_flows(js)
        got = pcap_packets(pcap)
    bad = 0
    for k in sorted(set(want) | set(got), key=str):
        if want[k] != got[k]:
            print(f"{k}: {want[k]} packets in flagged flows, {got[k]} in the pcap")
            bad += 1
    print(f"evidence: {nflows} flagged flows, {sum(want.values())} packets expected, "
          f"{sum(got.values())} in the pcap, {bad} conversations differ")
    if nflows == 0:
        print("the capture has no flagged flow: nothing was checked")
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
