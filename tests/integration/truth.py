#!/usr/bin/env python3
"""Compares itmscope's JSON flow records with a ground-truth file written by tools/itms-gen.

usage: truth.py ITMSCOPE CAPTURE TRUTH.jsonl [itmscope options...]

Flows are matched by protocol and the unordered pair of endpoints (the truth's client is the
initiator; itmscope's must be the same side, which is checked too). For each truth flow the
rule id, the client and server roles and the set of flags must agree. Prints one line per
disagreement and a closing line of counts; exits 1 when anything disagrees or is missing.
"""
import json
import subprocess
import sys


def key_of(proto, a_ip, a_port, b_ip, b_port):
    return (proto.upper(),) + tuple(sorted([(a_ip, a_port or 0), (b_ip, b_port or 0)]))


def load_ours(binary, capture, extra):
    out = subprocess.run([binary, "-q", "--json", "-", "-r", capture] + extra,
                         capture_output=True, text=True, timeout=600)
    if out.returncode not in (0, 1):
        print(f"itmscope failed ({out.returncode}): {out.stderr.strip()}")
        sys.exit(1)
    flows = {}
    for line in out.stdout.splitlines():
        ev = json.loads(line)
        if ev.get("event_type") != "flow":
            continue
        proto = {"IPV6-ICMP": "ICMP"}.get(ev["proto"].upper(), ev["proto"].upper())
        sp = ev.get("src_port", ev.get("icmp_id", 0))
        dp = ev.get("dest_port", ev.get("icmp_id", 0))
        k = key_of(proto, ev["src_ip"], sp, ev["dest_ip"], dp)
        flows.setdefault(k, []).append(ev)
    return flows


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    binary, capture, truth_path = sys.argv[1:4]
    ours = load_ours(binary, capture, sys.argv[4:])
    agree = disagree = missing = ambig = 0
    seen = set()
    with open(truth_path) as f:
        truth = [json.loads(line) for line in f if line.strip()]
    for t in truth:
        proto = {"IPV6-ICMP": "ICMP", "ICMPV6": "ICMP"}.get(t["proto"].upper(), t["proto"].upper())
        k = key_of(proto, t["src_ip"], t.get("src_port", 0), t["dest_ip"], t.get("dest_port", 0))
        cands = ours.get(k, [])
        idx = sum(1 for s in seen if s[0] == k)
        seen.add((k, idx))
        if idx >= len(cands):
            missing += 1
            print(f"missing  {t['proto']} {t['src_ip']}:{t.get('src_port')} -> "
                  f"{t['dest_ip']}:{t.get('dest_port')} (rule {t.get('rule')})")
            continue
        ev = cands[idx]
        problems = []
        ambiguous = False
        if ev["itms"]["rule"] != t.get("rule"):
            # the same traffic can belong to several documented components (an agent's
            # HTTPS to the NS is agent-initial, agent-policy or win-agent-out alike): a label
            # that names the truth among its alternatives is counted apart, not as wrong
            if t.get("rule") in ev["itms"].get("alternatives", []):
                ambiguous = True
            else:
                problems.append(f"rule {ev['itms']['rule']} != {t.get('rule')}")
        ours_client = (ev["src_ip"], ev.get("src_port", ev.get("icmp_id", 0)))
        if ours_client != (t["src_ip"], t.get("src_port", 0)):
            problems.append(f"client {ev['src_ip']}:{ev.get('src_port')} != "
                            f"{t['src_ip']}:{t.get('src_port')}")
        for side in ("client", "server"):
            want = set(t.get(side + "_roles", []))
            got = set(ev["roles"][side])
            if want and not want <= got:
                problems.append(f"{side} roles {sorted(got)} lack {sorted(want - got)}")
        if set(ev["flags"]) != set(t.get("flags", [])):
            problems.append(f"flags {sorted(ev['flags'])} != {sorted(t.get('flags', []))}")
        if ev["flags"] and not ev.get("reason"):
            problems.append("flagged without a reason")
        if problems:
            disagree += 1
            print(f"disagree {t['proto']} {t['src_ip']}:{t.get('src_port')} -> "
                  f"{t['dest_ip']}:{t.get('dest_port')} flow {ev['flow_id']}: "
                  + "; ".join(problems))
        elif ambiguous:
            ambig += 1
        else:
            agree += 1
    extra = sum(len(v) for v in ours.values()) - agree - ambig - disagree
    print(f"{capture}: {agree} agree, {ambig} agree among alternatives, {disagree} disagree, "
          f"{missing} missing, {extra} not in the truth")
    return 1 if disagree or missing else 0


if __name__ == "__main__":
    sys.exit(main())
