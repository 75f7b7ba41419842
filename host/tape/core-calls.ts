// How each export of the core becomes a tape record, and how a record becomes the same call
// again. The one TypeScript module that knows the shape of the ABI for tapes (its C twin is
// native/firmware/core-bind.c): when the ABI changes, these two files change with it.
//
// A call is taped by meaning, not by address: the operation's name, the constant its first
// argument names (by name: "FieldMailFrom", not 4), its other numbers, and the bytes it reads
// from the staging area by value. Replaying puts the bytes where the call reads them and calls.
import { Cursor, RecordWriter, Tag } from "./format.js";
import { K } from "../core/abi.js";

/** The raw exports of one core instance. */
export interface RawCore {
  memory: WebAssembly.Memory;
  [name: string]: unknown;
}
type Fn = (...args: number[]) => number | undefined;

/** Exports that only read how many wire bytes wait: never taped (a take records the bytes). */
export const UNTAPED: ReadonlySet<string> = new Set(["outLen"]);

/** Calls whose first argument is one of the core's named constants, by the constants' prefix. */
const KEY_PREFIX: Readonly<Record<string, string>> = {
  setString: "Field", setInt: "Field", info: "Info",
  mimeMark: "MimeMark", mimeHeader: "MimeField", mimePart: "MimeType",
};

/** Where a data call reads its bytes in the staging area, from its numeric arguments (the key
 *  argument left out): [offset, length] of the first range, and of the second when it has one. */
interface DataShape {
  a(args: number[]): [number, number];
  b?(args: number[]): [number, number];
  /** Returns how many bytes it took, and the host offers the rest again: taped compactly. */
  stream?: boolean;
}
const whole = (args: number[]): [number, number] => [0, args[0]!];
const DATA: Readonly<Record<string, DataShape>> = {
  setString: { a: whole },
  accessToken: { a: whole },
  feed: { a: whole, stream: true },
  bodyWrite: { a: whole, stream: true },
  mimeMark: { a: whole },
  mimeHeader: { a: (x) => [0, x[0]!], b: (x) => [x[0]!, x[1]!] },
  mimeWrite: { a: (x) => [x[0]!, x[1]!], stream: true },
  mimePart: { a: whole },
  mimeSplitPages: { a: (x) => [0, x[0]! * 4] },
};

export const TAKE_OP = "outConsume";
export const NEXT_OP = "nextEvent";

/** One call as the tape holds it. */
export interface TapedCall {
  op: string;
  /** name of the constant passed as first argument, "#n" for a number no constant names, "" */
  key: string;
  args: number[];
  a?: Uint8Array;
  b?: Uint8Array;
}

/** The ABI's constants by name (host/core/abi.ts, generated from the core), and back, the
 *  first in export order winning. */
export class Constants {
  readonly byName = new Map<string, number>(Object.entries(K));
  nameOf(prefix: string, value: number): string {
    for (const [name, v] of this.byName) if (v === value && name.startsWith(prefix)) return name;
    return `#${value}`;
  }
  valueOf(key: string): number {
    if (key.startsWith("#")) return Number(key.slice(1));
    const v = this.byName.get(key);
    if (v === undefined) throw new Error(`the core exports no constant ${key}`);
    return v;
  }
}

export function isDataCall(op: string): boolean {
  return op in DATA;
}
export function isStreamCall(op: string): boolean {
  return DATA[op]?.stream === true;
}

function staging(x: RawCore): { base: number; cap: number } {
  const info = x.info as Fn;
  return { base: info(K.InfoInPtr)! >>> 0, cap: info(K.InfoInCap)! >>> 0 };
}

/** The part of [off, off+len) inside the staging area (a call told to read past it reads less). */
function clampRange(cap: number, [off, len]: [number, number]): [number, number] {
  const start = Math.min(Math.max(0, off), cap);
  return [start, Math.min(Math.max(0, len), cap - start)];
}

/** Describe a live call before it runs: its key, numbers and the bytes it is about to read. */
export function captureCall(x: RawCore, k: Constants, op: string, raw: number[]): TapedCall {
  const prefix = KEY_PREFIX[op];
  const key = prefix ? k.nameOf(prefix, raw[0] ?? 0) : "";
  const args = prefix ? raw.slice(1) : raw.slice();
  const shape = DATA[op];
  if (!shape) return { op, key, args };
  const { base, cap } = staging(x);
  const mem = new Uint8Array(x.memory.buffer);
  const copy = (range: [number, number]) => {
    const [o, n] = clampRange(cap, range);
    return mem.slice(base + o, base + o + n);
  };
  return { op, key, args, a: copy(shape.a(args)), ...(shape.b ? { b: copy(shape.b(args)) } : {}) };
}

/** Perform a taped call on a core: put its bytes where it reads them, call it, return the result. */
export function performCall(x: RawCore, k: Constants, c: TapedCall): number | undefined {
  const fn = x[c.op];
  if (typeof fn !== "function") throw new Error(`the core exports no function ${c.op}`);
  const shape = DATA[c.op];
  if (shape) {
    const { base, cap } = staging(x);
    const place = (bytes: Uint8Array | undefined, range: [number, number]) => {
      if (!bytes) return;
      const [o] = clampRange(cap, range);
      new Uint8Array(x.memory.buffer).set(bytes.subarray(0, Math.max(0, cap - o)), base + o);
    };
    place(c.a, shape.a(c.args));
    if (shape.b) place(c.b, shape.b(c.args));
  }
  const raw = c.key ? [k.valueOf(c.key), ...c.args] : c.args;
  return (fn as Fn)(...raw);
}

/** Bytes a call's outputs need from before it runs: the wire bytes an outConsume hands over. */
export function captureBefore(x: RawCore, op: string, raw: number[]): Uint8Array | null {
  if (op !== TAKE_OP) return null;
  const len = Math.min((x.outLen as Fn)()! >>> 0, Math.max(0, raw[0] ?? 0));
  const ptr = (x.info as Fn)(K.InfoOutPtr)! >>> 0;
  return new Uint8Array(x.memory.buffer).slice(ptr, ptr + len);
}

/** Encode what a call produced, read from the core right after it returned. */
export function writeOutputs(
  w: RecordWriter, x: RawCore, k: Constants, op: string, raw: number[], result: number | undefined, before: Uint8Array | null,
): void {
  if (op === TAKE_OP) {
    w.begin(Tag.Out).bytes(before ?? new Uint8Array(0)).end();
    return;
  }
  if (op === NEXT_OP) {
    writeEvent(w, x, k, result ?? 0);
    return;
  }
  const value = typeof result === "number" ? result : 0;
  w.begin(Tag.Result).f64(value).end();
  if (op === "mimeSplitPages" && value > 0) {
    // the split points follow the page ends in the staging area (assembly/mime/abi.ts)
    const { base } = staging(x);
    const at = base + (raw[0] ?? 0) * 4;
    w.begin(Tag.Bytes).bytes(new Uint8Array(x.memory.buffer).slice(at, at + value * 4)).end();
  }
}

/** The event record at `at` (Record* offsets of the core) as the tape holds it. */
function writeEvent(w: RecordWriter, x: RawCore, k: Constants, at: number): void {
  if (at === 0) {
    w.begin(Tag.Event).str("").i32(0).i32(0).i32(0).i32(0).i32(0).i32(0).bytes(new Uint8Array(0)).bytes(new Uint8Array(0)).end();
    return;
  }
  const v = new DataView(x.memory.buffer, at);
  const i32 = (off: number) => v.getInt32(off, true);
  const bytes = (off: number, lenAt: number) => new Uint8Array(x.memory.buffer, at + off, v.getUint32(lenAt, true));
  w.begin(Tag.Event).str(k.nameOf("Event", i32(K.RecordKind)))
    .i32(i32(K.RecordCode)).i32(i32(K.RecordIndex)).i32(i32(K.RecordClass)).i32(i32(K.RecordReason))
    .i32(i32(K.RecordCommand)).i32(i32(K.RecordDetail))
    .bytes(bytes(K.RecordEnhanced, K.RecordEnhancedLen))
    .bytes(bytes(K.RecordText, K.RecordTextLen))
    .end();
}

/** Encode a taped call as its input record (the byte payload already compacted by the caller). */
export function writeInput(w: RecordWriter, c: TapedCall, reuse: number, tail: Uint8Array | undefined): void {
  if (c.op === TAKE_OP) {
    w.begin(Tag.Take).u32(c.args[0] ?? 0).end();
    return;
  }
  if (c.op === NEXT_OP) {
    w.begin(Tag.Next).end();
    return;
  }
  const data = isDataCall(c.op);
  w.begin(data ? Tag.Data : Tag.Call).str(c.op).str(c.key).u8(c.args.length);
  for (const v of c.args) w.f64(v);
  if (data) w.u32(reuse).bytes(tail ?? new Uint8Array(0)).bytes(c.b ?? new Uint8Array(0));
  w.end();
}

/** Decode an input record; `expand` turns (reuse, tail) back into the bytes. */
export function readInput(
  buf: Uint8Array, tag: number, start: number, expand: (op: string, reuse: number, tail: Uint8Array) => Uint8Array,
): TapedCall {
  const c = new Cursor(buf, start);
  if (tag === Tag.Take) return { op: TAKE_OP, key: "", args: [c.u32()] };
  if (tag === Tag.Next) return { op: NEXT_OP, key: "", args: [] };
  const op = c.str();
  const key = c.str();
  const args = Array.from({ length: c.u8() }, () => c.f64());
  if (tag !== Tag.Data) return { op, key, args };
  const reuse = c.u32();
  const a = expand(op, reuse, c.bytes());
  return { op, key, args, a, b: c.bytes() };
}

/** Failure of a call that did not return, as the tape says it: "abort" (the core's own assertion,
 *  through its abort import) or "trap" (anything else the runtime stopped). */
export function trapWord(e: unknown): string {
  return e instanceof Error && e.name === "CoreAbort" ? "abort" : "trap";
}
