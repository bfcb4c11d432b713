/* itm-limits.h: every bound and default timeout in one place, each with why it has the
 * value it has. Tables that reach a bound evict (and count) rather than grow. */
#ifndef ITMSCOPE_LIMITS_H
#define ITMSCOPE_LIMITS_H

/* Flows tracked at once (--max-flows). A million flows is a busy site's hour of traffic at
 * about 240 bytes each (slab share, buckets, rare details): ~240 MB. The least recently
 * seen flow is evicted beyond it. */
#define ITM_DEFAULT_MAX_FLOWS 1000000u
/* Largest --max-flows accepted: keeps the slab arithmetic far from overflow. */
#define ITM_MAX_MAX_FLOWS 100000000u
/* Bytes of frames a capture copies while it gathers a batch for the engine: 32 frames of a
 * full Ethernet MTU fit; a frame larger than this gets the arena grown to its size. */
#define ITM_CAPTURE_ARENA 65536u
/* Flows open from which frames go to the engine in batches (their lookups overlapping their
 * cache misses); below it a table of 192-byte flows fits the caches (about 3.1 MB) and the
 * batch's copy would cost more than it saves. Frames a reader thread hands over come in
 * batches anyway: below it, those skip the passes fetching flows ahead (about 100
 * instructions a packet) and keep the buckets' fetch. */
#define ITM_BATCH_MIN_FLOWS 16384u
/* Flows ahead of the one being ended at the end of a capture whose ends' slots in the
 * role learner's host table are fetched meanwhile (itm_flow_end_all): ending one takes
 * about 2,000 instructions, a miss a few hundred cycles. */
#define ITM_FLOW_END_AHEAD 8u
/* Flows written out from which the outputs get a thread of their own (engine.c, outq.h):
 * a small capture, and every test of one, never starts it. */
#define ITM_OUTQ_MIN_FLOWS 16384u

/* Idle timeouts in seconds of packet time (--timeout). TCP may idle long between keepalives;
 * a closed TCP flow lingers a little for the last ACKs so they count with it; UDP and ICMP
 * exchanges are short, but agents' UDP tickles recur within minutes. */
#define ITM_TIMEOUT_TCP 600u
#define ITM_TIMEOUT_TCP_CLOSED 10u
#define ITM_TIMEOUT_UDP 120u
#define ITM_TIMEOUT_ICMP 60u
#define ITM_TIMEOUT_OTHER 120u

/* Fragmented datagrams being tracked, and how long one waits for its first fragment.
 * RFC 791 suggests 15 s as a reassembly timer lower bound; Linux uses 30 s. */
#define ITM_MAX_FRAG_DATAGRAMS 65536u
#define ITM_FRAG_TIMEOUT 30u

/* Role learner: distinct hosts (a /16 of agents is 65536 hosts). */
#define ITM_MAX_HOSTS 262144u
/* Pending TFTP/PXE expectations, and their lifetime: a PXE boot finishes within a minute. */
#define ITM_MAX_EXPECTATIONS 16384u
#define ITM_EXPECT_TIMEOUT 60u
/* Sources tracked for scan detection. */
#define ITM_MAX_SCAN_SOURCES 65536u

/* Packets kept per flow for the evidence pcap until its label is final. */
#define ITM_EVIDENCE_PKTS 8u

/* Evidence pcap: flows whose first packets are held until their label is final, and the
 * bytes held. A flow's packets are a few KiB; 64 MiB covers tens of thousands of open flows.
 * Beyond either bound the oldest held flow is let go (counted; its evidence may lack the
 * packets before the flag). */
#define ITM_EVIDENCE_MAX_FLOWS 65536u
#define ITM_EVIDENCE_MAX_BYTES (64u << 20)

/* Report aggregates. Documented traffic fills a few hundred matrix cells; the rest is
 * undocumented traffic (one cell per port), counted but no longer itemised past the bound. */
#define ITM_REPORT_MAX_CELLS 65536u
/* Finding groups (flag, client, server): an attack leaves a few; past this, counted only. */
#define ITM_REPORT_MAX_GROUPS 65536u
/* Distinct (component, address) pairs behind host counts, about 40 bytes each: a /16 of
 * agents across a dozen rules. Past it, host counts are lower bounds (the report says so). */
#define ITM_REPORT_MAX_MEMBERS 1000000u
/* Kernel drops above this share (per mille) of the packets received make the report warn
 * that "never seen" rules may just have been missed. */
#define ITM_REPORT_DROP_WARN_PERMILLE 1u

/* Capture defaults. */
#define ITM_DEFAULT_SNAPLEN 262144u
#define ITM_DEFAULT_BUFFER_MB 32u
/* stdio buffer for offline reads: with stdio's 4 KiB a file's read takes 40% longer; from
 * 256 KiB on, longer again (each read's copy leaves the CPU's caches). 64 and 128 KiB
 * measured best (docs/performance.md). */
#define ITM_READ_BUFFER (1u << 16)
/* The reader thread of a file hands frames over in slots: 8 slots of 256 KiB of frame bytes
 * (and at most 4,096 frames) each. A slot holds a couple of thousand small frames, so the
 * threads meet a few thousand times a second, never per frame; eight let the reader run
 * ahead while the pipeline works through one (measured: 4 or 16 slots, of 64 to 256 KiB,
 * gave no better wall-clock time). A larger frame gets a slot's arena grown to its size. */
#define ITM_READ_SLOTS 8u
#define ITM_READ_SLOT_FRAMES 4096u
#define ITM_READ_SLOT_BYTES (256u * 1024u)

#endif
