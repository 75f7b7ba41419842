// The session tape recorder: wraps a core instance's exports so that every call the host makes
// is written to a tape with what it produced (docs/firmware.md). Off unless MFP_TAPE_DIR names a
// directory (the test runner sets it) or a caller hands Core.create a tape target.
//
// Secrets never reach a tape: a password or access token is replaced by a fixed test value of
// the same length. The wire bytes a live session produced from the real secret would then not
// match the tape's inputs, so from the first secret on the recorder drives a second instance (the
// "shadow") with the tape's inputs and records the shadow's outputs; the live run's must differ
// from them only in the bytes of its wire output (checked; a Note record says if not).
import { appendFileSync, mkdirSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { RecordWriter, ReuseMemo, Tag, records, writeHeader } from "./format.js";
import {
  Constants, UNTAPED, captureBefore, captureCall, isStreamCall, trapWord, writeInput, writeOutputs,
  type RawCore, type TapedCall,
} from "./core-calls.js";
import { CallPlayer, firstResult } from "./replay.js";

/** Where a tape's records go: the recorder writes into `w`; `spill()` moves them on. */
export interface TapeTarget {
  readonly w: RecordWriter;
  /** Called after each call: move the records on when there are many, or keep them for now. */
  settle(): void;
}

export interface RecordOptions {
  /** Who recorded it: the test file or command (tape header). */
  origin: string;
  /** Which core build ran ("simd", "nosimd"; tape header). */
  build: string;
  target: TapeTarget;
  /** Replace passwords and tokens by test values (default true). Off only for generated tapes
   *  whose secrets are test values already (the fuzz corpus). */
  substituteSecrets?: boolean;
  /** A fresh, unconfigured instance of the same module (for the shadow). */
  newInstance: () => RawCore;
  /** Stop taping a session beyond this many bytes (a Note says so). */
  maxBytes?: number;
}

const FLUSH_BYTES = 256 * 1024;
/** Calls kept to build the shadow when a secret arrives; secrets come before any body. */
const PREFIX_LIMIT = 4 * 1024 * 1024;

function testValue(kind: string, length: number): Uint8Array {
  const pattern = Buffer.from(`test-${kind}-`);
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = pattern[i % pattern.length]!;
  return out;
}

function isSecret(c: TapedCall): "password" | "token" | null {
  if (c.op === "setString" && c.key === "FieldPassword") return "password";
  if (c.op === "accessToken") return "token";
  return null;
}

/** Same records, except that wire bytes (Out) may differ in content but not in length. */
function sameShape(live: Uint8Array, shadow: Uint8Array): boolean {
  if (Buffer.compare(live, shadow) === 0) return true;
  const a = [...records(live)];
  const b = [...records(shadow)];
  if (a.length !== b.length) return false;
  return a.every((r, i) => {
    const s = b[i]!;
    if (r.tag !== s.tag || r.end - r.start !== s.end - s.start) return false;
    return r.tag === Tag.Out || Buffer.compare(live.subarray(r.start, r.end), shadow.subarray(s.start, s.end)) === 0;
  });
}

class Recorder {
  private readonly w: RecordWriter;
  private readonly liveOut = new RecordWriter(256);
  private readonly memo = new ReuseMemo();
  private readonly k: Constants;
  private shadow: CallPlayer | null = null;
  private prefix: TapedCall[] | null = [];
  private prefixBytes = 0;
  /** bytes this tape took so far (header and notes aside) */
  private written = 0;
  private stopped = false;
  private mismatchNoted = false;

  constructor(private readonly x: RawCore, private readonly o: RecordOptions) {
    this.k = new Constants();
    this.w = o.target.w;
    writeHeader(this.w, { origin: o.origin, build: o.build });
  }

  private note(text: string): void {
    this.w.begin(Tag.Note).str(text).end();
  }

  private stop(reason: string | null): void {
    if (reason) this.note(reason);
    this.stopped = true;
    this.prefix = null;
    this.shadow = null;
    this.o.target.settle();
  }

  /** From the first secret on, a second instance runs the tape's inputs (see the file comment). */
  private startShadow(): boolean {
    if (this.shadow) return true;
    if (!this.prefix) return false;
    const shadow = new CallPlayer(this.o.newInstance());
    for (const c of this.prefix) shadow.perform(c);
    this.shadow = shadow;
    this.prefix = null;
    this.note("passwords and tokens are test values from here; outputs are those of the same calls with them");
    return true;
  }

  call(op: string, fn: (...a: number[]) => number | undefined, raw: number[]): number | undefined {
    if (this.stopped) return fn(...raw);
    const sizeBefore = this.w.size;
    const taped = captureCall(this.x, this.k, op, raw);
    const secret = isSecret(taped);
    const inputs: TapedCall = secret && this.o.substituteSecrets !== false ? { ...taped, a: testValue(secret, taped.a!.length) } : taped;
    if (inputs !== taped && !this.startShadow()) {
      this.stop("tape ends here: a secret arrived after too many calls to re-run them");
      return fn(...raw);
    }
    const before = captureBefore(this.x, op, raw);
    let result: number | undefined;
    let trap: unknown = null;
    try {
      result = fn(...raw);
    } catch (e) {
      trap = e;
    }
    this.liveOut.clear();
    if (trap) this.liveOut.begin(Tag.Trap).str(trapWord(trap)).end();
    else writeOutputs(this.liveOut, this.x, this.k, op, raw, result, before);
    let outputs = this.liveOut.view();
    if (this.shadow) {
      const shadowOut = this.shadow.perform(inputs);
      if (!this.mismatchNoted && !sameShape(outputs, shadowOut)) {
        this.mismatchNoted = true;
        this.note(`the live run and the run with test secrets differ after ${op}`);
      }
      outputs = shadowOut;
    } else if (this.prefix) {
      this.prefix.push(inputs);
      this.prefixBytes += (inputs.a?.length ?? 0) + (inputs.b?.length ?? 0) + 64;
      if (this.prefixBytes > PREFIX_LIMIT) this.prefix = null;
    }
    const { reuse, tail } = inputs.a && isStreamCall(op) ? this.memo.compact(op, inputs.a) : { reuse: 0, tail: inputs.a };
    writeInput(this.w, inputs, reuse, tail);
    this.w.raw(outputs);
    if (inputs.a && isStreamCall(op)) this.memo.settle(op, inputs.a, firstResult(outputs));
    if (trap) {
      this.stop(null);
      throw trap;
    }
    this.written += this.w.size - sizeBefore;
    this.o.target.settle();
    if (this.written > (this.o.maxBytes ?? Infinity)) this.stop(`tape cut: longer than ${this.o.maxBytes} bytes`);
    return result;
  }
}

/** The exports with every taped call going through a recorder (untaped ones and constants as they are). */
export function recordingExports(x: RawCore, o: RecordOptions): RawCore {
  const rec = new Recorder(x, o);
  const out: RawCore = { memory: x.memory };
  for (const [name, v] of Object.entries(x)) {
    if (typeof v === "function" && !UNTAPED.has(name)) {
      const fn = v as (...a: number[]) => number | undefined;
      out[name] = (...a: number[]) => rec.call(name, fn, a);
    } else out[name] = v;
  }
  return out;
}

// ── Tapes in files (MFP_TAPE_DIR) ────────────────────────────────────────────────────────────

/** Files with records not yet written, oldest first; written at exit at the latest. */
const pending = new Set<FileTape>();
/** More open tapes than this: the oldest is written out (bounds the memory of many sessions). */
const PENDING_MAX = 64;
let exitHooked = false;

/** Appends a tape's records to one file (a reel when several tapes share it), in batches. */
export class FileTape implements TapeTarget {
  readonly w = new RecordWriter(4096);
  constructor(readonly path: string) {
    if (!exitHooked) {
      exitHooked = true;
      process.on("exit", flushPendingTapes);
    }
  }
  settle(): void {
    if (this.w.size >= FLUSH_BYTES) return this.flush();
    if (this.w.size === 0 || pending.has(this)) return;
    pending.add(this);
    if (pending.size > PENDING_MAX) pending.values().next().value!.flush();
  }
  flush(): void {
    pending.delete(this);
    if (this.w.size === 0) return;
    appendFileSync(this.path, this.w.view());
    this.w.clear();
  }
}

/** Write out every tape file's records now (at exit at the latest). */
export function flushPendingTapes(): void {
  for (const t of [...pending]) t.flush();
}

let sequence = 0;

/** Record options for a session when MFP_TAPE_DIR is set, else null. */
export function tapeFromEnv(build: string, newInstance: () => RawCore): RecordOptions | null {
  const dir = process.env.MFP_TAPE_DIR;
  if (!dir) return null;
  mkdirSync(dir, { recursive: true });
  const script = process.argv[1] ? relative(process.cwd(), process.argv[1]) : "node";
  const slug = basename(script).replace(/[^A-Za-z0-9._-]+/g, "_");
  const path = join(dir, `${slug}-${process.pid}-${++sequence}.tape`);
  const maxBytes = Number(process.env.MFP_TAPE_MAX_BYTES ?? 256 * 1024 * 1024);
  return { origin: script, build, target: new FileTape(path), newInstance, maxBytes };
}
