#!/usr/bin/env python3
"""csv_json.py: the flow CSV (--csv) says what the JSON flow events say, field by field.

Runs itmscope with --json and --csv on one capture, parses the CSV as RFC 4180 (Python's csv
module) and compares each row with the JSON flow event of the same flow_id, column by column
(the column names are JSON paths; lists are joined with ';', null and absent fields are
empty). Exit 0 on agreement, 1 on a difference, 77 (skip) without the capture.

Usage: csv_json.py ITMSCOPE CAPTURE [itmscope arguments...]
"""
import csv
import json
import os
import subprocess
import sys
import tempfile


def lookup(event, path):
    """The JSON value at a dotted path, or None."""
    v = event
    for part in path.split("."):
        if not isinstance(v, dict) or part not in v:
            return None
        v = v[part]
    return v


def as_csv(v, path):
    """How the CSV writes a JSON value."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return ";".join(str(x) for x in v)
    if path == "flow.age":
        return f"{v:.6f}"
    return str(v)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    itmscope, capture, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
    if not os.path.exists(capture):
        print(f"SKIP: {capture} does not exist yet")
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        js, cs = os.path.join(tmp, "f.json"), os.path.join(tmp, "f.csv")
        res = subprocess.run([itmscope, "-r", capture, "--json", js, "--csv", cs] + extra,
                             capture_output=True, text=True, check=False)
        if res.returncode not in (0, 1):
            sys.exit(f"itmscope failed ({res.returncode}): {res.stderr.strip()}")
        with open(js, encoding="utf-8") as f:
            flows = {e["flow_id"]: e for e in map(json.loads, f) if e["event_type"] == "flow"}
        with open(cs, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    bad = 0
    if len(rows) != len(flows):
        print(f"{len(rows)} CSV rows, {len(flows)} JSON flow events")
        bad += 1
    for row in rows:
        ev = flows.get(int(row["flow_id"]))
        if ev is None:
            print(f"flow {row['flow_id']}: no JSON flow event")
            bad += 1
            continue
        for col, text in row.items():
            want = as_csv(lookup(ev, col), col)
            if text != want:
                print(f"flow {row['flow_id']} {col}: CSV {text!r}, JSON {want!r}")
                bad += 1
    print(f"csv_json: {len(rows)} rows, {bad} differences")
    return 1 if bad or not rows else 0


if __name__ == "__main__":
    sys.exit(main())
