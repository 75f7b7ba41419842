// Session tape format (docs/firmware.md): what crossed the core's ABI during one session, as a
// stream of records a C program reads without a JSON library.
//
//   record  = tag u8 · length u32le · payload[length]
//   str     = u16le length · UTF-8 bytes          bytes = u32le length · bytes
//   f64     = IEEE 754 double, little-endian      i32/u32 = 4 bytes little-endian
//
// Inputs (what the host did) and outputs (what came out) alternate: each input record is
// followed by the output records it produced. A replayer performs the inputs and encodes its
// own outputs the same way; equal bytes mean equal behaviour. This file knows the encoding only,
// nothing about which calls the core exports (host/tape/core-calls.ts).

export const TAPE_VERSION = 1;

/** Record tags: ASCII letters, so a hex dump of a tape reads. */
export const Tag = {
  Header: 0x48, // H  u32 version · str origin · str build
  Call: 0x43,   // C  str op · str key · u8 argc · f64 args[argc]
  Data: 0x44,   // D  str op · str key · u8 argc · f64 args[argc] · u32 reuse · bytes tail · bytes second
  Take: 0x54,   // T  u32 n                    (the host wrote n output bytes to the wire)
  Next: 0x4e,   // N  (empty)                  (the host asked for the next event)
  Result: 0x52, // R  f64                      (return value of a C or D record; 0 for void)
  Out: 0x4f,    // O  bytes                    (wire bytes taken by a T record)
  Event: 0x45,  // E  str kind · i32 code · index · class · reason · command · detail · bytes enhanced · bytes text
  Bytes: 0x42,  // B  bytes                    (bytes the core wrote for the host to read: split points)
  Trap: 0x58,   // X  str what                 ("abort" or "trap": the call did not return)
  Note: 0x4d,   // M  str text                 (recorder remark; not an input, not an output)
} as const;

export const INPUT_TAGS: ReadonlySet<number> = new Set([Tag.Call, Tag.Data, Tag.Take, Tag.Next]);
export const OUTPUT_TAGS: ReadonlySet<number> = new Set([Tag.Result, Tag.Out, Tag.Event, Tag.Bytes, Tag.Trap]);

const utf8 = new TextEncoder();

/** Appends records to a growable buffer. */
export class RecordWriter {
  private buf: Buffer;
  private len = 0;
  private mark = -1;

  constructor(initial = 1024) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  get size(): number {
    return this.len;
  }

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  begin(tag: number): this {
    this.room(5);
    this.buf[this.len] = tag;
    this.mark = this.len + 1;
    this.len += 5;
    return this;
  }

  end(): this {
    this.buf.writeUInt32LE(this.len - this.mark - 4, this.mark);
    this.mark = -1;
    return this;
  }

  u8(v: number): this {
    this.room(1);
    this.buf[this.len++] = v & 0xff;
    return this;
  }

  u32(v: number): this {
    this.room(4);
    this.buf.writeUInt32LE(v >>> 0, this.len);
    this.len += 4;
    return this;
  }

  i32(v: number): this {
    this.room(4);
    this.buf.writeInt32LE(v | 0, this.len);
    this.len += 4;
    return this;
  }

  f64(v: number): this {
    this.room(8);
    this.buf.writeDoubleLE(v, this.len);
    this.len += 8;
    return this;
  }

  str(s: string): this {
    const b = utf8.encode(s);
    if (b.length > 0xffff) throw new RangeError("tape string longer than 65535 bytes");
    this.room(2 + b.length);
    this.buf.writeUInt16LE(b.length, this.len);
    this.buf.set(b, this.len + 2);
    this.len += 2 + b.length;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.room(4 + b.length);
    this.buf.writeUInt32LE(b.length, this.len);
    this.buf.set(b, this.len + 4);
    this.len += 4 + b.length;
    return this;
  }

  /** Append already-encoded records. */
  raw(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  /** The records written so far (a view, valid until the next write). */
  view(): Buffer {
    return this.buf.subarray(0, this.len);
  }

  /** A copy of the records written so far; the writer is emptied. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.len));
    this.len = 0;
    return out;
  }

  clear(): void {
    this.len = 0;
  }
}

/** One record of a tape buffer: its tag and where its payload lies. */
export interface TapeRecord {
  tag: number;
  /** offset of the tag byte */
  at: number;
  /** payload [start, end) */
  start: number;
  end: number;
}

/** Iterate the complete records of a buffer; a record cut short at the end is left out. */
export function* records(buf: Uint8Array, from = 0): Generator<TapeRecord> {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let at = from; at + 5 <= buf.length; ) {
    const len = view.getUint32(at + 1, true);
    if (at + 5 + len > buf.length) return;
    yield { tag: buf[at]!, at, start: at + 5, end: at + 5 + len };
    at += 5 + len;
  }
}

/** Reads the fields of one payload in order. */
export class Cursor {
  private readonly view: DataView;
  constructor(private readonly buf: Uint8Array, public pos: number) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  u8(): number { return this.buf[this.pos++]!; }
  u32(): number { const v = this.view.getUint32(this.pos, true); this.pos += 4; return v; }
  i32(): number { const v = this.view.getInt32(this.pos, true); this.pos += 4; return v; }
  f64(): number { const v = this.view.getFloat64(this.pos, true); this.pos += 8; return v; }
  str(): string {
    const n = this.view.getUint16(this.pos, true);
    const s = Buffer.from(this.buf.buffer, this.buf.byteOffset + this.pos + 2, n).toString("utf8");
    this.pos += 2 + n;
    return s;
  }
  bytes(): Uint8Array {
    const n = this.view.getUint32(this.pos, true);
    const b = this.buf.subarray(this.pos + 4, this.pos + 4 + n);
    this.pos += 4 + n;
    return b;
  }
}

export interface TapeHeader { version: number; origin: string; build: string }

export function writeHeader(w: RecordWriter, h: Omit<TapeHeader, "version">): void {
  w.begin(Tag.Header).u32(TAPE_VERSION).str(h.origin).str(h.build).end();
}

export function readHeader(buf: Uint8Array, r: TapeRecord): TapeHeader {
  const c = new Cursor(buf, r.start);
  return { version: c.u32(), origin: c.str(), build: c.str() };
}

/**
 * The tapes of one file: a file holds one tape or several back to back (a reel), each opened
 * by its Header record. Yields each tape's byte range.
 */
export function* tapesOf(buf: Uint8Array): Generator<{ header: TapeHeader; start: number; end: number }> {
  let open: { header: TapeHeader; start: number } | null = null;
  let last = 0;
  for (const r of records(buf)) {
    if (r.tag === Tag.Header) {
      if (open) yield { ...open, end: r.at };
      open = { header: readHeader(buf, r), start: r.end };
    }
    last = r.end;
  }
  if (open) yield { ...open, end: last };
}

/**
 * Compaction of data records: a call that took only part of its bytes is usually called again
 * with the rest (feed, bodyWrite, mimeWrite). Such a record stores `reuse`, how many of
 * its first bytes are the untaken rest of the previous record of the same operation, and only
 * the bytes after them. "Taken" is that record's taped result. Writer and reader keep the same
 * memo, so both sides agree without storing the bytes twice.
 */
export class ReuseMemo {
  private readonly prev = new Map<string, { a: Uint8Array; taken: number }>();

  private rest(op: string): Uint8Array {
    const p = this.prev.get(op);
    if (!p || !(p.taken >= 0 && p.taken <= p.a.length)) return new Uint8Array(0);
    return p.a.subarray(p.taken);
  }

  compact(op: string, a: Uint8Array): { reuse: number; tail: Uint8Array } {
    const rest = this.rest(op);
    let n = Math.min(rest.length, a.length);
    if (Buffer.compare(rest.subarray(0, n), a.subarray(0, n)) !== 0) {
      let i = 0;
      while (i < n && rest[i] === a[i]) i++;
      n = i;
    }
    return { reuse: n, tail: a.subarray(n) };
  }

  expand(op: string, reuse: number, tail: Uint8Array): Uint8Array {
    if (reuse === 0) return tail;
    const rest = this.rest(op);
    if (reuse > rest.length) throw new Error(`tape reuses ${reuse} bytes of ${op}, only ${rest.length} left`);
    const a = new Uint8Array(reuse + tail.length);
    a.set(rest.subarray(0, reuse));
    a.set(tail, reuse);
    return a;
  }

  /** After the record's result is known. */
  settle(op: string, a: Uint8Array, taken: number): void {
    this.prev.set(op, { a, taken });
  }
}
