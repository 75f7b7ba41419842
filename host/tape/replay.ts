// Replay session tapes through a core instance and compare what comes out with what the tape
// recorded: every result, wire byte and event must be the same bytes (docs/firmware.md).
import { INPUT_TAGS, OUTPUT_TAGS, RecordWriter, ReuseMemo, Tag, Cursor, records, tapesOf, type TapeHeader } from "./format.js";
import {
  Constants, captureBefore, performCall, readInput, writeOutputs, trapWord, isStreamCall, type RawCore, type TapedCall,
} from "./core-calls.js";

/** Performs taped calls on one core instance and encodes their outputs. */
export class CallPlayer {
  readonly k: Constants;
  private readonly w = new RecordWriter(256);
  trapped = false;

  constructor(readonly x: RawCore) {
    this.k = new Constants();
  }

  /** Perform one call; returns its output records (a view, valid until the next call). */
  perform(c: TapedCall): Buffer {
    this.w.clear();
    const raw = c.key ? [this.k.valueOf(c.key), ...c.args] : c.args;
    try {
      const before = captureBefore(this.x, c.op, raw);
      const result = performCall(this.x, this.k, c);
      writeOutputs(this.w, this.x, this.k, c.op, raw, result, before);
    } catch (e) {
      this.trapped = true;
      this.w.clear();
      this.w.begin(Tag.Trap).str(trapWord(e)).end();
    }
    return this.w.view();
  }
}

/** The first result value in a run of output records (what a stream call took). */
export function firstResult(buf: Uint8Array): number {
  for (const r of records(buf)) if (r.tag === Tag.Result) return new Cursor(buf, r.start).f64();
  return -1;
}

export interface Divergence {
  /** index of the input record (0-based, within the tape) */
  call: number;
  op: string;
  expected: string;
  got: string;
}

export interface TapeReplay {
  header: TapeHeader;
  calls: number;
  divergence: Divergence | null;
  notes: string[];
}

/** One line per output record, for a divergence report. */
export function describeOutputs(buf: Uint8Array): string {
  const out: string[] = [];
  for (const r of records(buf)) {
    const c = new Cursor(buf, r.start);
    const tag = String.fromCharCode(r.tag);
    if (r.tag === Tag.Result) out.push(`R ${c.f64()}`);
    else if (r.tag === Tag.Out || r.tag === Tag.Bytes) {
      const b = c.bytes();
      out.push(`${tag} ${b.length} bytes ${JSON.stringify(Buffer.from(b.subarray(0, 60)).toString("latin1"))}`);
    } else if (r.tag === Tag.Event) {
      const kind = c.str();
      const [code, index, cls, reason, command, detail] = [c.i32(), c.i32(), c.i32(), c.i32(), c.i32(), c.i32()];
      const enh = Buffer.from(c.bytes()).toString("latin1");
      out.push(`E ${kind || "none"} code=${code} index=${index} class=${cls} reason=${reason} command=${command} detail=${detail} ${enh} ${JSON.stringify(Buffer.from(c.bytes()).toString("latin1"))}`);
    } else if (r.tag === Tag.Trap) out.push(`X ${c.str()}`);
    else out.push(tag);
  }
  return out.join("; ") || "(nothing)";
}

/** Replay one tape (the records in [start, end) of buf) on a fresh instance. */
export function replayTape(buf: Uint8Array, tape: { header: TapeHeader; start: number; end: number }, instance: () => RawCore): TapeReplay {
  const player = new CallPlayer(instance());
  const memo = new ReuseMemo();
  const body = buf.subarray(tape.start, tape.end);
  const all = [...records(body)];
  const notes: string[] = [];
  let calls = 0;
  for (let i = 0; i < all.length; i++) {
    const r = all[i]!;
    if (r.tag === Tag.Note) { notes.push(new Cursor(body, r.start).str()); continue; }
    if (!INPUT_TAGS.has(r.tag)) continue;
    let j = i + 1;
    while (j < all.length && OUTPUT_TAGS.has(all[j]!.tag)) j++;
    const expected = body.subarray(r.end, j < all.length ? all[j]!.at : body.length);
    const call = readInput(body, r.tag, r.start, (op, reuse, tail) => memo.expand(op, reuse, tail));
    const got = player.perform(call);
    if (isStreamCall(call.op)) memo.settle(call.op, call.a!, firstResult(expected));
    if (Buffer.compare(got, expected) !== 0) {
      return { header: tape.header, calls, notes, divergence: { call: calls, op: call.op, expected: describeOutputs(expected), got: describeOutputs(got) } };
    }
    calls++;
    if (player.trapped) break;
    i = j - 1;
  }
  return { header: tape.header, calls, notes, divergence: null };
}

/** Replay every tape of a file (one tape or a reel). */
export function replayFile(buf: Uint8Array, instance: () => RawCore): TapeReplay[] {
  return [...tapesOf(buf)].map((t) => replayTape(buf, t, instance));
}
