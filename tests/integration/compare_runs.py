#!/usr/bin/env python3
"""Compares the flow records of two itmscope JSON files (a live run and an offline run of the
same traffic): same flows, packet counts, labels and flags. Flow ids, timestamps and end
reasons may differ (live flows end at shutdown, offline ones at end of input).

usage: compare_runs.py LIVE.json OFFLINE.json
"""
import collections
import json
import sys


def flows(path):
    out = collections.Counter()
    stats = None
    with open(path) as f:
        for line in f:
            ev = json.loads(line)
            if ev["event_type"] == "stats":
                stats = ev["stats"]
            if ev["event_type"] != "flow":
                continue
            out[(ev["proto"], ev["src_ip"], ev.get("src_port"), ev["dest_ip"], ev.get("dest_port"),
                 ev["flow"]["pkts_toserver"], ev["flow"]["pkts_toclient"], ev["itms"]["rule"],
                 tuple(sorted(ev["flags"])))] += 1
    return out, stats


def main():
    live, live_stats = flows(sys.argv[1])
    offline, _ = flows(sys.argv[2])
    only_live = live - offline
    only_offline = offline - live
    for k in sorted(only_live, key=str):
        print("only live:   ", k)
    for k in sorted(only_offline, key=str):
        print("only offline:", k)
    ok = not only_live and not only_offline
    if not live_stats or "capture" not in live_stats:
        print("the live run's final stats event lacks kernel counters")
        ok = False
    else:
        print("kernel counters:", live_stats["capture"])
    print(f"{sum(live.values())} live flows, {sum(offline.values())} offline flows, "
          f"{sum(only_live.values())} only live, {sum(only_offline.values())} only offline")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
