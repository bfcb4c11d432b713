#!/usr/bin/env python3
"""Writes the seed corpus of one fuzz target into a directory, from the project's own files:
pcaps/ (and the real captures in ../shared/corpus/real when present) for the capture
targets, signatures/ and pcaps/*.site for the text targets, and tests/regress/TARGET always.

usage: fuzz-seeds.py TARGET OUTDIR [MAX_LEN]

fuzz_decode seeds are single frames whose first byte selects the frame's link type: the
byte is the index of that link type in fuzz/fuzz_decode.c's fuzz_linktypes table, read
from the source so that the two cannot drift apart. Only the standard library is used.
"""
import glob
import hashlib
import os
import re
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REAL = os.path.join(ROOT, "..", "shared", "corpus", "real")
FRAMES_PER_FILE = 24
MAX_DECODE_SEEDS = 4000


def linktype_table():
    src = open(os.path.join(ROOT, "fuzz", "fuzz_decode.c"), encoding="utf-8").read()
    m = re.search(r"fuzz_linktypes\[\]\s*=\s*\{(.*?)\};", src, re.S)
    if not m:
        sys.exit("fuzz-seeds: fuzz_linktypes table not found in fuzz/fuzz_decode.c")
    body = re.sub(r"/\*.*?\*/", "", m.group(1), flags=re.S)
    return [int(x) for x in re.findall(r"\d+", body)]


def pcap_frames(data, limit):
    """(linktype, frame) pairs from a classic pcap or a pcapng; stops quietly at damage."""
    out = []
    if len(data) < 24:
        return out
    magic = data[:4]
    # micro- and nanosecond pcap, either byte order
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1",
                 b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = "<" if magic[0] in (0xD4, 0x4D) else ">"
        linktype = struct.unpack(e + "I", data[20:24])[0] & 0x03FFFFFF
        off = 24
        while len(out) < limit and off + 16 <= len(data):
            incl = struct.unpack(e + "I", data[off + 8:off + 12])[0]
            if incl > 262144 or off + 16 + incl > len(data):
                break
            out.append((linktype, data[off + 16:off + 16 + incl]))
            off += 16 + incl
        return out
    if magic != b"\x0a\x0d\x0d\x0a":
        return out
    bom = data[8:12]
    e = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
    links = []
    off = 0
    while len(out) < limit and off + 12 <= len(data):
        btype, blen = struct.unpack(e + "II", data[off:off + 8])
        if blen < 12 or off + blen > len(data):
            break
        body = data[off + 8:off + blen - 4]
        if btype == 0x0A0D0D0A:
            links = []
        elif btype == 1 and len(body) >= 2:
            links.append(struct.unpack(e + "H", body[:2])[0])
        elif btype == 6 and len(body) >= 20:
            iface, _, _, caplen = struct.unpack(e + "IIII", body[:16])
            if iface < len(links) and caplen <= len(body) - 20:
                out.append((links[iface], body[20:20 + caplen]))
        off += blen
    return out


def capture_files():
    files = sorted(glob.glob(os.path.join(ROOT, "pcaps", "*.pcap")) +
                   glob.glob(os.path.join(ROOT, "pcaps", "*.pcapng")))
    if os.path.isdir(REAL):
        files += sorted(glob.glob(os.path.join(REAL, "*.pcap")) +
                        glob.glob(os.path.join(REAL, "*.pcapng")))
    return files


class Writer:
    def __init__(self, outdir, max_len):
        self.outdir = outdir
        self.max_len = max_len
        self.seen = set()
        os.makedirs(outdir, exist_ok=True)
        for old in os.listdir(outdir):
            os.unlink(os.path.join(outdir, old))

    def add(self, data):
        data = data[:self.max_len]
        h = hashlib.sha1(data).hexdigest()
        if h in self.seen:
            return
        self.seen.add(h)
        with open(os.path.join(self.outdir, h), "wb") as f:
            f.write(data)


def rule_blocks(text):
    """Each "[rule]" or "[section]" block on its own: small seeds mutate faster."""
    parts = re.split(r"(?m)^(?=\[)", text)
    return [p for p in parts if p.startswith("[")]


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    target, outdir = sys.argv[1], sys.argv[2]
    max_len = int(sys.argv[3]) if len(sys.argv) == 4 else 65536
    w = Writer(outdir, max_len)
    regress = os.path.join(ROOT, "tests", "regress", target)
    for path in sorted(glob.glob(os.path.join(regress, "*"))):
        w.add(open(path, "rb").read())

    if target == "fuzz_decode":
        table = linktype_table()
        for path in capture_files():
            for lt, frame in pcap_frames(open(path, "rb").read(2 << 20), FRAMES_PER_FILE):
                if lt in table and len(w.seen) < MAX_DECODE_SEEDS:
                    w.add(bytes([table.index(lt)]) + frame)
    elif target == "fuzz_pipeline":
        for path in capture_files():
            with open(path, "rb") as f:
                w.add(f.read(max_len))
    elif target in ("fuzz_sigdb", "fuzz_site"):
        if target == "fuzz_sigdb":
            texts = glob.glob(os.path.join(ROOT, "signatures", "*.sig"))
        else:
            texts = (glob.glob(os.path.join(ROOT, "signatures", "site.example")) +
                     glob.glob(os.path.join(ROOT, "pcaps", "*.site")))
        for path in sorted(texts):
            text = open(path, "rb").read()
            w.add(text)
            for block in rule_blocks(text.decode("utf-8", "replace")):
                w.add(block.encode("utf-8"))
    else:
        sys.exit("fuzz-seeds: unknown target " + target)
    print("%s: %d seeds in %s" % (target, len(w.seen), outdir))


if __name__ == "__main__":
    main()
