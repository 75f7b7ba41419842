// Host side of the core's MIME writer (assembly/mime/abi.ts): describe a message, ask its exact
// encoded size (RFC 1870 SIZE), plan a split over several messages, and pump the attachment
// chunks through the core. The message comes out as steps (steps()): encoded bytes to write, or
// "blocked" when the core can take nothing more until its SMTP side moves (a BDAT chunk's reply,
// a full event queue) — the caller, not the writer, decides how to unblock it. write() drains
// the steps into a sink for callers without an SMTP session (tests, bench).
//
// Works with any object exposing the core's raw exports as `x` (host/core/core.ts's Core, or a bare
// WebAssembly instance's exports wrapped as { x }).

import { K } from "./abi.js";
import { WriteWindow } from "./write-window.js";
import { MimeError, MimeOk, MimeDrain, MimeOpt, MimeField, MimeType, type AttachmentSpec, type ByteSource, type CoreLike,
  type Mailbox, type MessageSpec, type MimeExports, type OutputWriter, type WriteMode } from "./mime-types.js";

export * from "./mime-types.js";

const enc = new TextEncoder();
/** A bounded number of drain rounds without progress before the helper gives up (no hang). */
const STUCK_LIMIT = 10_000;

export function rfc5322Date(d: Date): string {
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const p = (n: number) => String(n).padStart(2, "0");
  return `${days[d.getUTCDay()]}, ${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

export function randomToken(n = 24): string {
  const abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = crypto.getRandomValues(new Uint8Array(n));
  return Array.from(bytes, (b) => abc[b % 62]).join("");
}

export function makeMessageId(domain: string): string {
  return `<${Date.now().toString(36)}.${randomToken(16)}@${domain}>`;
}

export interface SplitMessage {
  index: number;
  of: number;
  subject: string;
  filename: string;
  /** byte range [start, end) of the scan attachment */
  start: number;
  end: number;
  /** exact encoded message size */
  size: number;
}
export interface SplitPlan {
  /** exact size of the unsplit message */
  total: number;
  maxSize: number;
  byPages: boolean;
  messages: SplitMessage[];
}

/**
 * One step of writing a message. "bytes": encoded output for the wire (with reuseOutput, valid
 * until the step after next is asked for: a WriteWindow keeps to that). "blocked": the core took
 * nothing and has nothing to give; ask for the next step once the SMTP side has moved (the
 * server answered, events were drained) — asking at once only spins, bounded by STUCK_LIMIT.
 */
export type MimeStep = { kind: "bytes"; bytes: Uint8Array } | { kind: "blocked" };
type Steps = AsyncGenerator<MimeStep, void, void>;

export class MimeWriter {
  readonly x: MimeExports;
  /**
   * Steps carry one of two reused buffers instead of a fresh copy per batch, so the next batch
   * is encoded while the previous one is still being written. Only for a sink that is done with
   * the bytes when its promise resolves (the SMTP session: Transport.write resolves after the
   * socket or TLS took them). A fresh copy per 64 KiB batch left tens of MiB of garbage behind
   * on a large scan (bench/: max RSS grew with the scan size).
   */
  reuseOutput = false;
  private outBufs: [Uint8Array | null, Uint8Array | null] = [null, null];
  private outTurn = 0;
  /** Blocked steps so far: while blocked the session may have fed server bytes through the
   *  core's staging area, so a data piece is put back after one. */
  private stalls = 0;
  /** The staging area and the output buffer: fixed once the core is configured. */
  private readonly inPtr: number;
  private readonly inCap: number;
  private readonly outPtr: number;
  constructor(core: CoreLike) {
    this.x = core.x as MimeExports;
    this.inPtr = this.x.info(K.InfoInPtr);
    this.inCap = this.x.info(K.InfoInCap);
    this.outPtr = this.x.info(K.InfoOutPtr);
  }

  /** Carve the writer's staging buffer (once per core, after configure()). */
  configure(stageCap = 4096): void {
    const r = this.x.setInt(K.FieldMimeStage, stageCap);
    if (r !== MimeOk) throw MimeError.of(r);
  }

  private writeIn(bytes: Uint8Array, off = 0): void {
    if (off + bytes.length > this.inCap) throw MimeError.of(K.ReasonTooLong);
    new Uint8Array(this.x.memory.buffer, this.inPtr + off, bytes.length).set(bytes);
  }

  /** One batch of output as a step: a fresh copy, or (reuseOutput) the next of two buffers. */
  private batch(view: Uint8Array): MimeStep {
    if (!this.reuseOutput) return { kind: "bytes", bytes: view.slice() };
    const n = view.length;
    let buf = this.outBufs[this.outTurn];
    if (!buf || buf.length < n) buf = this.outBufs[this.outTurn] = new Uint8Array(Math.max(n, 65536));
    const copy = buf.subarray(0, n);
    copy.set(view);
    this.outTurn ^= 1;
    return { kind: "bytes", bytes: copy };
  }

  private blocked(): MimeStep {
    this.stalls++;
    return { kind: "blocked" };
  }

  private async *drain(): Steps {
    for (let i = 0; i < STUCK_LIMIT; i++) {
      const n = this.x.outLen();
      if (n > 0) {
        const step = this.batch(new Uint8Array(this.x.memory.buffer, this.outPtr, n));
        this.x.outConsume(n);
        yield step;
      }
      if (this.x.mimeFlush() === 0 && this.x.outLen() === 0) return;
      if (n === 0 && this.x.outLen() === 0) yield this.blocked();
    }
    throw MimeError.of(K.ReasonBadState);
  }

  /** Run one header-type step, repeating it after a drain while it answers MimeDrain. */
  private async *step(load: () => void, fn: () => number): Steps {
    for (let i = 0; i < STUCK_LIMIT; i++) {
      load();
      const r = fn();
      if (r !== MimeOk && r !== MimeDrain) throw MimeError.of(r);
      yield* this.drain();
      if (r === MimeOk) return;
    }
    throw MimeError.of(K.ReasonBadState);
  }

  /** Feed bytes through a data step (mimeWrite: the text, or an attachment), in pieces of at most inCap. */
  private async *pump(bytes: Uint8Array, fn: (off: number, len: number) => number): Steps {
    const cap = this.inCap;
    for (let pos = 0; pos < bytes.length; ) {
      const piece = Math.min(cap, bytes.length - pos);
      const view = new Uint8Array(bytes.buffer, bytes.byteOffset + pos, piece);
      this.writeIn(view);
      let [off, idle, staged] = [0, 0, this.stalls];
      while (off < piece) {
        // while blocked, server replies may have passed through the same staging area: put the piece back
        if (staged !== this.stalls) { this.writeIn(view); staged = this.stalls; }
        const n = fn(off, piece - off);
        if (n === 0 && this.x.info(K.InfoMimeReason) > 0) throw MimeError.of(this.x.info(K.InfoMimeReason));
        off += n;
        idle = n === 0 ? idle + 1 : 0;
        if (idle > STUCK_LIMIT) throw MimeError.of(K.ReasonBadState);
        if (n === 0 && this.x.outLen() === 0) yield this.blocked();
        yield* this.drain();
      }
      pos += piece;
    }
  }

  private async *headers(spec: MessageSpec, mode: WriteMode): Steps {
    const x = this.x;
    x.setInt(MimeOpt.binary, mode.binary ? 1 : 0);
    const text = enc.encode(spec.text);
    // 8bit only when no line passes 998 octets (RFC 5322 §2.1.1): otherwise quoted-printable,
    // which can carry any line without changing the text
    x.setInt(MimeOpt.eightBit, mode.eightBit && longestLine(text) <= 998 ? 1 : 0);
    x.setInt(MimeOpt.scalar, mode.scalar ? 1 : 0);
    const rand = enc.encode(mode.boundaryRandom ?? randomToken());
    yield* this.step(() => this.writeIn(rand), () => x.mimeMark(K.MimeMarkBegin, rand.length));
    const value = (field: number, v: string) => {
      const b = enc.encode(v);
      return this.step(() => this.writeIn(b), () => x.mimeHeader(field, b.length, 0));
    };
    const mailbox = (field: number, m: Mailbox) => {
      const name = enc.encode(m.name ?? "");
      const addr = enc.encode(m.address);
      return this.step(() => { this.writeIn(name); this.writeIn(addr, name.length); },
        () => x.mimeHeader(field, name.length, addr.length));
    };
    yield* value(MimeField.date, spec.date);
    yield* mailbox(MimeField.from, spec.from);
    for (const m of spec.to) yield* mailbox(MimeField.to, m);
    for (const m of spec.cc ?? []) yield* mailbox(MimeField.cc, m);
    if (spec.replyTo) yield* mailbox(MimeField.replyTo, spec.replyTo);
    yield* value(MimeField.subject, spec.subject);
    yield* value(MimeField.messageId, spec.messageId);
    yield* this.step(() => {}, () => x.mimeMark(K.MimeMarkBody, 0));
    yield* this.pump(text, (o, l) => x.mimeWrite(o, l));
  }

  private partHead(a: AttachmentSpec): Steps {
    const name = enc.encode(a.filename);
    const type = MimeType[a.type];
    if (type === undefined) throw MimeError.of(K.ReasonBadArgument);
    return this.step(() => this.writeIn(name), () => this.x.mimePart(type, name.length));
  }

  /** Exact encoded size of the message (dry run through the same code that writes it). Also
   *  validates every header value, so a bad value fails here before any byte is written. */
  async size(spec: MessageSpec, mode: WriteMode = {}): Promise<number> {
    const x = this.x;
    x.setInt(MimeOpt.count, 1);
    try {
      await exhaust(this.headers(spec, mode));
      for (const a of spec.attachments) {
        await exhaust(this.partHead(a));
        // a dry run counts an attachment's bytes without reading them
        if (x.mimeWrite(0, a.size) !== a.size) throw MimeError.of(x.info(K.InfoMimeReason) || K.ReasonBadState);
        await exhaust(this.step(() => {}, () => x.mimeMark(K.MimeMarkPartEnd, 0)));
      }
      await exhaust(this.step(() => {}, () => x.mimeMark(K.MimeMarkEnd, 0)));
      return x.info(K.InfoMimeSize);
    } finally {
      x.setInt(MimeOpt.count, 0);
    }
  }

  /**
   * The message as steps. Validates first (a dry run), so an injection attempt fails with
   * nothing written — unless `sized`: size() already ran for this spec and mode (the session
   * sized every part for its SIZE= parameter), and one dry run per part is enough.
   */
  async *steps(spec: MessageSpec, mode: WriteMode, o: { sized?: boolean } = {}): Steps {
    const m = { ...mode, boundaryRandom: mode.boundaryRandom ?? randomToken() };
    if (!o.sized) await this.size(spec, m);
    const x = this.x;
    yield* this.headers(spec, m);
    for (const a of spec.attachments) {
      yield* this.partHead(a);
      let seen = 0;
      for await (const chunk of a.source()) {
        seen += chunk.length;
        yield* this.pump(chunk, (o, l) => x.mimeWrite(o, l));
      }
      if (seen !== a.size) throw new MimeError(K.ReasonBadArgument, "MIME_SIZE_MISMATCH", `Attachment ${a.filename} gave ${seen} bytes, ${a.size} announced.`);
      yield* this.step(() => {}, () => x.mimeMark(K.MimeMarkPartEnd, 0));
    }
    yield* this.step(() => {}, () => x.mimeMark(K.MimeMarkEnd, 0));
    yield* this.drain();
  }

  /** Write the message to `out` without an SMTP session (nothing can unblock the core but
   *  asking again); returns the number of bytes handed to `out`. */
  async write(spec: MessageSpec, mode: WriteMode, out: OutputWriter): Promise<number> {
    const window = new WriteWindow(out, this.reuseOutput);
    let total = 0;
    try {
      for await (const step of this.steps(spec, mode)) {
        if (step.kind !== "bytes") continue;
        total += step.bytes.length;
        await window.push(step.bytes);
      }
      await window.settle();
    } finally {
      await window.abandon(); // a failure part-way leaves no write in flight behind
    }
    return total;
  }

  /** Split a one-attachment scan so each message stays ≤ maxSize: on page boundaries when the
   *  attachment has pageEnds, else on byte ranges. Subjects get " (Scan i of n)". */
  async splitPlan(spec: MessageSpec, maxSize: number, mode: WriteMode = {}): Promise<SplitPlan> {
    if (spec.attachments.length !== 1) throw new MimeError(K.ReasonBadArgument, "MIME_SPLIT_ONE_ATTACHMENT", "Only a message with exactly one scan attachment can be split.");
    const scan = spec.attachments[0]!;
    const total = await this.size(spec, mode);
    const byPages = !!scan.pageEnds && scan.pageEnds.length > 0;
    const one: SplitMessage = { index: 1, of: 1, subject: spec.subject, filename: scan.filename, start: 0, end: scan.size, size: total };
    if (total <= maxSize) return { total, maxSize, byPages, messages: [one] };
    // overhead with the longest names this plan can produce, and an empty attachment
    const worst = this.part(spec, 999, 999, 0, 0);
    const overhead = await this.size(worst, mode);
    const cap = this.x.mimeMaxPartBytes(maxSize, overhead, mode.binary ? 1 : 0);
    if (cap <= 0) throw MimeError.of(K.ReasonNoFit);
    const cuts: number[] = [];
    if (byPages) {
      const ends = scan.pageEnds!;
      if (ends.length * 8 > this.inCap) throw MimeError.of(K.ReasonTooLong);
      this.writeIn(new Uint8Array(new Uint32Array(ends).buffer));
      const n = this.x.mimeSplitPages(ends.length, cap);
      if (n === 0) throw MimeError.of(this.x.info(K.InfoMimeReason));
      const view = new Uint32Array(this.x.memory.buffer, this.inPtr + ends.length * 4, n);
      cuts.push(...view);
    } else {
      for (let e = Math.min(cap, scan.size); ; e = Math.min(e + cap, scan.size)) {
        cuts.push(e);
        if (e >= scan.size) break;
      }
    }
    const messages: SplitMessage[] = [];
    let start = 0;
    for (let i = 0; i < cuts.length; i++) {
      const p = this.part(spec, i + 1, cuts.length, start, cuts[i]!);
      messages.push({ index: i + 1, of: cuts.length, subject: p.subject, filename: p.attachments[0]!.filename,
        start, end: cuts[i]!, size: await this.size(p, mode) });
      start = cuts[i]!;
    }
    return { total, maxSize, byPages, messages };
  }

  /** The message spec for part i of n of a split scan: bytes [start, end) of the attachment. */
  part(spec: MessageSpec, i: number, n: number, start: number, end: number): MessageSpec {
    const scan = spec.attachments[0]!;
    const dot = scan.filename.lastIndexOf(".");
    const base = dot > 0 ? scan.filename.slice(0, dot) : scan.filename;
    const ext = dot > 0 ? scan.filename.slice(dot) : "";
    return {
      ...spec,
      subject: `${spec.subject} (Scan ${i} of ${n})`,
      attachments: [{
        ...scan,
        filename: `${base}-${i}of${n}${ext}`,
        size: end - start,
        source: scan.sourceRange ? () => scan.sourceRange!(start, end) : () => sliceSource(scan.source, start, end),
        sourceRange: undefined,
        pageEnds: undefined,
      }],
    };
  }
}

/**
 * The size above which a scan is split. The server's SIZE (RFC 1870) is a hard limit. The
 * board's splitAbove applies when the server announces none, and also under a larger SIZE
 * unless the board sets splitAtServerSize: splitting below what the server accepts costs one
 * more transaction per part (and, before ranged reads, re-read the scan for every part).
 */
export function splitLimit(message: { splitAbove: number; splitAtServerSize?: boolean }, serverSize: number): number {
  if (serverSize <= 0) return message.splitAbove;
  return message.splitAtServerSize ? serverSize : Math.min(message.splitAbove, serverSize);
}

/** Run steps that write nothing (a dry run): blocked steps only mean "ask again". */
async function exhaust(steps: Steps): Promise<void> {
  for await (const _ of steps) { /* nothing to write, nothing to wait for */ }
}

/** Longest line in octets, any of CRLF, CR, LF ending a line. */
export function longestLine(b: Uint8Array): number {
  let max = 0;
  let run = 0;
  for (const c of b) {
    if (c === 13 || c === 10) run = 0;
    else if (++run > max) max = run;
  }
  return max;
}

/** Bytes [start, end) of a source, without buffering more than one of its chunks. */
export async function* sliceSource(src: ByteSource, start: number, end: number): AsyncIterable<Uint8Array> {
  let pos = 0;
  for await (const c of src()) {
    const a = Math.max(start - pos, 0);
    const b = Math.min(end - pos, c.length);
    if (b > a) yield c.subarray(a, b);
    pos += c.length;
    if (pos >= end) return;
  }
}
