#!/usr/bin/env python3
"""pcap-cut.py: writes the first N records of a classic pcap to another classic pcap.

usage: pcap-cut.py SOURCE DEST N

Used by tools/bench.sh and tools/callgrind.sh for instruction counts on a cut of a capture:
editcap would write pcapng, which libpcap reads at another cost than the capture itself.
DEST is written under a temporary name and renamed, so a cut never exists half written.
"""
import os
import struct
import sys


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(src, 'rb') as f, open(dst + '.tmp', 'wb') as o:
        hdr = f.read(24)
        if len(hdr) < 24:
            print(f"pcap-cut.py: {src}: not a pcap file", file=sys.stderr)
            return 1
        endian = '<' if hdr[:4] in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
        o.write(hdr)
        for _ in range(n):
            rh = f.read(16)
            if len(rh) < 16:
                break
            o.write(rh + f.read(struct.unpack(endian + 'IIII', rh)[2]))
    os.rename(dst + '.tmp', dst)
    return 0


if __name__ == "__main__":
    sys.exit(main())
