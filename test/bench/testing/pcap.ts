/**
 * A reader for classic pcap files (what `tcpdump -w` writes; not pcapng): the global header and the
 * records, each with its timestamp and captured bytes. Only what the wire-timing benchmark needs.
 * https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcap/ (byte order follows the magic number).
 */

const MAGIC_MICRO = 0xa1b2c3d4;
const MAGIC_NANO = 0xa1b23c4d;
const PCAPNG_MAGIC = 0x0a0d0d0a;
const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;

export interface PcapRecord {
  /** Timestamp in ms since the first record's whole second (a double stays sub-ns precise for hours). */
  ms: number;
  sec: number;
  /** Fraction of the second in ns (a microsecond file's fraction is scaled up). */
  nsec: number;
  /** Bytes on the wire; `data` may hold fewer (the snapshot length). */
  origLen: number;
  data: Buffer;
}

export interface Pcap {
  precision: 'ns' | 'us';
  /** LINKTYPE_* (1 = EN10MB, which Linux reports for `lo`). */
  linkType: number;
  snapLen: number;
  records: PcapRecord[];
}

export function readPcap(buf: Buffer): Pcap {
  if (buf.length < GLOBAL_HEADER) {
    throw new Error(`pcap: global header truncated: ${buf.length} of ${GLOBAL_HEADER} bytes`);
  }
  const le = buf.readUInt32LE(0);
  const be = buf.readUInt32BE(0);
  const little = le === MAGIC_MICRO || le === MAGIC_NANO;
  const magic = little ? le : be;
  if (magic !== MAGIC_MICRO && magic !== MAGIC_NANO) {
    const what = be === PCAPNG_MAGIC ? ' (a pcapng file: write classic pcap, tcpdump -w does)' : '';
    throw new Error(
      `pcap: bad magic number 0x${be.toString(16).padStart(8, '0')}${what}; want a1b2c3d4 (us) or a1b23c4d (ns)`,
    );
  }
  const u32 = (at: number): number => (little ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
  const scale = magic === MAGIC_NANO ? 1 : 1000;
  // The top bits of the link-type field may carry FCS information.
  const linkType = u32(20) & 0x0fffffff;
  const records: PcapRecord[] = [];
  let firstSec: number | undefined;
  let at = GLOBAL_HEADER;
  while (at < buf.length) {
    const n = records.length;
    if (buf.length - at < RECORD_HEADER) {
      throw new Error(
        `pcap: record ${n} header truncated at offset ${at}: ${buf.length - at} of ${RECORD_HEADER} bytes`,
      );
    }
    const sec = u32(at);
    const frac = u32(at + 4);
    const inclLen = u32(at + 8);
    const origLen = u32(at + 12);
    if (frac * scale >= 1e9) {
      throw new Error(
        `pcap: record ${n} at offset ${at}: timestamp fraction ${frac} is not below one second`,
      );
    }
    if (inclLen > origLen) {
      throw new Error(
        `pcap: record ${n} at offset ${at}: captured length ${inclLen} > original length ${origLen}`,
      );
    }
    const start = at + RECORD_HEADER;
    if (buf.length - start < inclLen) {
      throw new Error(
        `pcap: record ${n} at offset ${at} truncated: header says ${inclLen} bytes, ${buf.length - start} left`,
      );
    }
    firstSec ??= sec;
    const nsec = frac * scale;
    records.push({
      ms: (sec - firstSec) * 1e3 + nsec / 1e6,
      sec,
      nsec,
      origLen,
      data: buf.subarray(start, start + inclLen),
    });
    at = start + inclLen;
  }
  return { precision: magic === MAGIC_NANO ? 'ns' : 'us', linkType, snapLen: u32(16), records };
}
