#!/usr/bin/env python3
"""big_flows.py: flows past 4 GiB one way keep exact 64-bit counts in every output.

A flow keeps the low 32 bits of its counters and carries into a part allocated apart
(src/flow-int.h); this drives that path end to end. It writes a small capture whose records
declare frames of 3 GiB and of 4 GiB - 1 (the pcap record's original length; the captured
bytes are a normal UDP datagram), so that a few packets take a flow's byte counters past one,
two and three carries, then checks the JSON flow events and the flow CSV against sums worked
out here from the record headers. tshark cannot check these: it stores a frame's length as a
signed 32-bit number and reports 2147483647 for each.

Usage: big_flows.py ITMSCOPE
"""
import csv
import importlib.util
import io
import json
import os
import struct
import subprocess
import sys
import tempfile

# the frame builders of the bad-input captures (Ethernet, IPv4 with its checksum, UDP)
_spec = importlib.util.spec_from_file_location(
    "make_bad_captures", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                      "make-bad-captures.py"))
frames = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(frames)


def udp_frame(src, dst, sport, dport, payload):
    return frames.ether(frames.ipv4(src, dst, 17, frames.udp(sport, dport, payload)))


def write_capture(path, records):
    """records: (seconds, frame bytes, original length)."""
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for sec, frame, orig in records:
            out.write(struct.pack("<IIII", sec, 0, len(frame), orig))
            out.write(frame)


def main():
    itm = sys.argv[1]
    agent, ns, other = [10, 0, 0, 5], [10, 0, 0, 9], [10, 0, 0, 7]
    t0 = 1700000000
    payload = b"x" * 18
    # (client, server, sport, dport, [(direction, original length), ...])
    flows = {
        (tuple(agent), 40000, tuple(ns), 52028): [("c", 0xC0000000)] * 3 + [("s", 0xFFFFFFFF)] * 2,
        (tuple(other), 40001, tuple(ns), 4011): [("c", 0xFFFFFFFF)] * 5 + [("s", 64)],
        (tuple(agent), 40002, tuple(ns), 69): [("c", 60)] * 2 + [("s", 1500)],
    }
    records, sec = [], t0
    for (cli, sport, srv, dport), pkts in flows.items():
        for d, orig in pkts:
            if d == "c":
                f = udp_frame(cli, srv, sport, dport, payload)
            else:
                f = udp_frame(srv, cli, dport, sport, payload)
            records.append((sec, f, orig))
            sec += 1
    with tempfile.TemporaryDirectory() as tmp:
        cap = os.path.join(tmp, "big.pcap")
        write_capture(cap, records)
        jpath, cpath = os.path.join(tmp, "out.json"), os.path.join(tmp, "out.csv")
        rc = subprocess.run([itm, "-r", cap, "--json", jpath, "--csv", cpath, "-q"]).returncode
        if rc != 0:
            print(f"big_flows: itmscope exited {rc}")
            return 1
        events = [json.loads(l) for l in open(jpath)]
        rows = list(csv.DictReader(io.StringIO(open(cpath).read())))
    got = {}
    for e in events:
        if e.get("event_type") == "flow":
            key = (tuple(int(x) for x in e["src_ip"].split(".")), e["src_port"],
                   tuple(int(x) for x in e["dest_ip"].split(".")), e["dest_port"])
            got[key] = e
    failed = 0
    for key, pkts in flows.items():
        want = {
            "pkts_toserver": sum(1 for d, _ in pkts if d == "c"),
            "pkts_toclient": sum(1 for d, _ in pkts if d == "s"),
            "bytes_toserver": sum(o for d, o in pkts if d == "c"),
            "bytes_toclient": sum(o for d, o in pkts if d == "s"),
        }
        e = got.get(key)
        if e is None:
            print(f"big_flows: no flow event for {key}")
            failed += 1
            continue
        for field, value in want.items():
            if e["flow"].get(field) != value:
                print(f"big_flows: {key} {field}: {e['flow'].get(field)}, expected {value}")
                failed += 1
        row = next((r for r in rows if r.get("flow_id") == str(e["flow_id"])), None)
        if row is None:
            print(f"big_flows: no CSV row for flow {e['flow_id']}")
            failed += 1
            continue
        for field, value in want.items():
            col = "flow." + field
            if col in row and row[col] != str(value):
                print(f"big_flows: CSV {col} of flow {e['flow_id']}: {row[col]}, expected {value}")
                failed += 1
    stats = [e for e in events if e.get("event_type") == "stats"]
    total = sum(o for pkts in flows.values() for _, o in pkts)
    got_total = stats[-1]["stats"].get("bytes") if stats else None
    if got_total != total:
        print(f"big_flows: the stats event's bytes: {got_total}, expected {total}")
        failed += 1
    if failed:
        return 1
    print(f"big_flows: {len(flows)} flows, {len(records)} packets, {total:,} bytes: exact")
    return 0


if __name__ == "__main__":
    sys.exit(main())
