#!/usr/bin/env python3
"""Writes a flood capture for the bounded-memory test (tests/integration/flood.sh): raw IPv4
packets (LINKTYPE_RAW), one microsecond apart, so that no idle timeout frees anything and
only the tables' caps keep memory bounded. Deterministic for a given --seed; standard
library only.

usage: flood-pcap.py OUT.pcap [--packets N] [--seed N] [--mix SYN,FRAG,TFTP]
                              [--syn-keys FILE]

The packets, interleaved at random in the proportions of --mix (default 2,1,1):
  SYN   TCP SYN from a random source and port to 10.1.0.10:443: a new flow each
  FRAG  an IPv4 fragment with offset > 0 from a random source and IP id: its first
        fragment never comes, so it waits in the fragment table until evicted
  TFTP  a TFTP read request from a random source to 10.1.0.40:69: a new flow and an
        expectation of the data transfer from the server
--syn-keys FILE takes the SYN sources from FILE ("a.b.c.d port" per line, cycled) instead
of at random: flood.sh uses it for keys that collide in the flow table's hash.
"""
import argparse
import random
import struct
import sys

T0 = 1700000000
NS_SERVER = bytes([10, 1, 0, 10])
DEPLOY = bytes([10, 1, 0, 40])
RRQ = b"\x00\x01pxelinux.0\x00octet\x00"


def ip_header(total_len, ident, frag_field, proto, src, dst):
    """An IPv4 header with a valid checksum (RFC 791 3.1)."""
    h = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, total_len, ident, frag_field, 64,
                              proto, 0, src, dst))
    s = sum(struct.unpack("!10H", h))
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    struct.pack_into("!H", h, 10, ~s & 0xFFFF)
    return bytes(h)


def syn(src, sport, seq):
    tcp = struct.pack("!HHIIBBHHH", sport, 443, seq, 0, 0x50, 0x02, 64240, 0, 0)
    return ip_header(40, seq & 0xFFFF, 0x4000, 6, src, NS_SERVER) + tcp


def fragment(src, ident, offset_units):
    payload = b"\x00" * 24
    # MF clear, offset > 0: the tail of a datagram whose head is never sent
    return ip_header(20 + len(payload), ident, offset_units & 0x1FFF, 17, src,
                     NS_SERVER) + payload


def tftp(src, sport):
    udp = struct.pack("!HHHH", sport, 69, 8 + len(RRQ), 0) + RRQ
    return ip_header(20 + len(udp), sport, 0x4000, 17, src, DEPLOY) + udp


def read_keys(path):
    keys = []
    for line in open(path, encoding="ascii"):
        addr, port = line.split()
        keys.append((bytes(int(x) for x in addr.split(".")), int(port)))
    if not keys:
        sys.exit("flood-pcap: no keys in " + path)
    return keys


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--packets", type=int, default=3000000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mix", default="2,1,1")
    ap.add_argument("--syn-keys")
    a = ap.parse_args()
    weights = [int(x) for x in a.mix.split(",")]
    if len(weights) != 3 or min(weights) < 0 or sum(weights) == 0:
        sys.exit("flood-pcap: --mix takes three non-negative weights SYN,FRAG,TFTP")
    keys = read_keys(a.syn_keys) if a.syn_keys else None
    rng = random.Random(a.seed)
    # a table of kinds in proportion, drawn from at random: cheaper than rng.choices per packet
    table = [0] * weights[0] + [1] * weights[1] + [2] * weights[2]
    rand32 = rng.getrandbits
    pack_rec = struct.Struct("<IIII").pack
    counts = [0, 0, 0]
    with open(a.out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101))
        chunk = []
        for i in range(a.packets):
            kind = table[rand32(16) % len(table)]
            counts[kind] += 1
            r = rand32(32)
            src = struct.pack("!I", 0x0A000000 | (r & 0x00FFFFFF))  # 10.0.0.0/8
            if kind == 0:
                if keys:
                    src, sport = keys[counts[0] % len(keys)]
                else:
                    sport = 1024 + rand32(16) % 64000
                pkt = syn(src, sport, r)
            elif kind == 1:
                pkt = fragment(src, rand32(16), 1 + rand32(12))
            else:
                pkt = tftp(src, 1024 + rand32(16) % 64000)
            ts = T0 * 1000000 + i
            chunk.append(pack_rec(ts // 1000000, ts % 1000000, len(pkt), len(pkt)))
            chunk.append(pkt)
            if len(chunk) >= 131072:
                f.write(b"".join(chunk))
                chunk.clear()
        f.write(b"".join(chunk))
    print("%s: %d packets: %d SYN, %d fragments, %d TFTP read requests"
          % (a.out, a.packets, counts[0], counts[1], counts[2]))


if __name__ == "__main__":
    main()
