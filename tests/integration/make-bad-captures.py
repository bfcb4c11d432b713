#!/usr/bin/env python3
"""Writes the captures of bad_input.sh into a directory: a small good pcap and pcapng, and
damaged variants of them. Deterministic, standard library only.

usage: make-bad-captures.py OUTDIR

good.pcap      5 records: a TCP handshake 10.1.16.30:50000 -> 10.1.0.10:443 (3), a UDP DNS
               query 10.1.16.30:5353 -> 10.1.0.50:53 (1), a UDP query to 10.1.0.50:161 (1)
cut.pcap       good.pcap cut in the middle of the 5th record's data
cut-header.pcap  good.pcap cut in the middle of the 5th record's header
huge.pcap      the 4th record header claims 0xffffff00 captured bytes
good.pcapng    the same 5 frames as a pcapng (SHB, IDB, 5 EPBs)
damaged.pcapng the 4th EPB's total length is 6 (below the 12-byte minimum)
cut.pcapng     good.pcapng cut in the middle of the 5th EPB
text.pcap      a text file; png.pcap: a PNG signature and IHDR; empty.pcap: no bytes
"""
import os
import struct
import sys


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, l4):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0, 64, proto, 0,
                      bytes(src), bytes(dst))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + l4


def ether(l3):
    return b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00" + l3


def tcp(sport, dport, seq, ack, flags):
    return struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 0x50, flags, 65535, 0, 0)


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


CLIENT, NS, DNS = [10, 1, 16, 30], [10, 1, 0, 10], [10, 1, 0, 50]
DNS_QUERY = bytes.fromhex("12340100000100000000000003777777076578616d706c6503636f6d0000010001")
FRAMES = [
    ether(ipv4(CLIENT, NS, 6, tcp(50000, 443, 1000, 0, 0x02))),
    ether(ipv4(NS, CLIENT, 6, tcp(443, 50000, 5000, 1001, 0x12))),
    ether(ipv4(CLIENT, NS, 6, tcp(50000, 443, 1001, 5001, 0x10))),
    ether(ipv4(CLIENT, DNS, 17, udp(5353, 53, DNS_QUERY))),
    ether(ipv4(CLIENT, DNS, 17, udp(5354, 161, b"\x30\x26\x02\x01\x01" + b"\0" * 33))),
]
TS = 1700000000


def pcap(frames, huge_at=None):
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)]
    offsets = []
    for i, f in enumerate(frames):
        offsets.append(sum(len(x) for x in out))
        incl = 0xFFFFFF00 if i == huge_at else len(f)
        out.append(struct.pack("<IIII", TS + i, 0, incl, incl if i == huge_at else len(f)))
        out.append(f)
    return b"".join(out), offsets


def block(btype, body):
    pad = b"\0" * (-len(body) % 4)
    n = 12 + len(body) + len(pad)
    return struct.pack("<II", btype, n) + body + pad + struct.pack("<I", n)


def pcapng(frames):
    blocks = [block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)),
              block(1, struct.pack("<HHI", 1, 0, 262144))]
    for i, f in enumerate(frames):
        ts = (TS + i) * 1000000
        blocks.append(block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(f),
                                           len(f)) + f))
    return blocks


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)

    def put(name, data):
        with open(os.path.join(d, name), "wb") as fh:
            fh.write(data)

    good, offs = pcap(FRAMES)
    put("good.pcap", good)
    put("cut.pcap", good[:offs[4] + 16 + 20])
    put("cut-header.pcap", good[:offs[4] + 8])
    put("huge.pcap", pcap(FRAMES, huge_at=3)[0])
    blocks = pcapng(FRAMES)
    put("good.pcapng", b"".join(blocks))
    bad = bytearray(blocks[5])
    bad[4:8] = struct.pack("<I", 6)
    put("damaged.pcapng", b"".join(blocks[:5]) + bytes(bad) + blocks[6])
    put("cut.pcapng", b"".join(blocks[:6]) + blocks[6][:30])
    put("text.pcap", b"This is a text file, not a capture.\n")
    put("png.pcap", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0")
    put("empty.pcap", b"")


if __name__ == "__main__":
    main()
