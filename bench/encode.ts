// MIME writer benchmark (not a test): 64 MiB of random scan bytes through the core's writer —
// base64 SIMD, base64 scalar, binary — against Node's Buffer.toString('base64') in the same
// process (median of N runs, MB/s, ratio), and the core's linear memory before/after writing a
// 200 MiB attachment. Standalone: node --import tsx bench/encode.ts [--mib 64 --runs 5]
import { readFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { pathToFileURL } from "node:url";
import { K } from "../host/core/abi.js";
import type { MimeExports } from "../host/core/mime.js";

export interface EncodeBenchOpts {
  /** npm run bench --quick: 16 MiB instead of 64 */
  quick?: boolean;
  mib?: number;
  runs?: number;
  memMib?: number;
  inCap?: number;
  outCap?: number;
  stage?: number;
  wasmPath?: string;
}
export interface EncodeBenchResult {
  node: string;
  inputMiB: number;
  runs: number;
  buffers: { inCap: number; outCap: number; stage: number };
  mbPerS: { nodeBase64: number; writerBase64Simd: number; writerBase64Scalar: number; writerBinary: number };
  ratioVsNode: { base64Simd: number; base64Scalar: number; binary: number };
  memory: { attachmentMiB: number; base64: { before: number; after: number }; binary: { before: number; after: number } };
  command: string;
}

export type X = MimeExports & { configure(a: number, b: number, c: number, d: number): number };

export async function core(wasm: Uint8Array, o: Required<Pick<EncodeBenchOpts, "inCap" | "outCap" | "stage">>): Promise<X> {
  const { instance } = (await WebAssembly.instantiate(wasm, { env: { abort() { throw new Error("core abort"); } } })) as unknown as WebAssembly.WebAssemblyInstantiatedSource;
  const x = instance.exports as unknown as X;
  if (x.configure(o.inCap, o.outCap, 1024, 512) !== 0) throw new Error("configure failed");
  if (x.setInt(K.FieldMimeStage, o.stage) !== 0) throw new Error("setInt(FieldMimeStage) failed");
  return x;
}

const enc = new TextEncoder();
function put(x: X, s: string): number {
  const b = enc.encode(s);
  new Uint8Array(x.memory.buffer, x.info(K.InfoInPtr), b.length).set(b);
  return b.length;
}

/** The host loop a device runs: copy a chunk into the in buffer, mimeWrite until taken, and
 *  hand each batch of wire bytes on (here: copied into a reused socket-sized buffer). */
export function writeMessage(x: X, binary: boolean, scalar: boolean, chunks: (emit: (c: Uint8Array) => void) => void): number {
  const sock = new Uint8Array(1 << 20);
  const [inPtr, outPtr, cap] = [x.info(K.InfoInPtr), x.info(K.InfoOutPtr), x.info(K.InfoInCap)];
  let total = 0;
  const drain = () => {
    const n = x.outLen();
    if (n > 0) {
      sock.set(new Uint8Array(x.memory.buffer, outPtr, n));
      total += n;
      x.outConsume(n);
    }
  };
  const flush = () => { drain(); while (x.mimeFlush() > 0) drain(); drain(); };
  /** a step: put its value in, call it, and again after a drain while it answers StatusBusy */
  const step = (call: () => number) => {
    for (let r = call(); r !== K.StatusDone; r = call()) {
      if (r !== K.StatusBusy) throw new Error(`mime step refused: ${r}`);
      flush();
    }
    flush();
  };
  x.setInt(K.FieldMimeBinary, binary ? 1 : 0);
  x.setInt(K.FieldMimeScalar, scalar ? 1 : 0);
  step(() => x.mimeMark(K.MimeMarkBegin, put(x, "benchBoundaryRandom0123456789")));
  step(() => x.mimeHeader(K.MimeFieldDate, put(x, "Mon, 23 Nov 2026 11:00:00 +0000"), 0));
  step(() => x.mimeHeader(K.MimeFieldFrom, 0, put(x, "mfp@example.com")));
  step(() => x.mimeHeader(K.MimeFieldTo, 0, put(x, "to@example.com")));
  step(() => x.mimeHeader(K.MimeFieldSubject, put(x, "Bench scan"), 0));
  step(() => x.mimeHeader(K.MimeFieldMessageId, put(x, "<bench@example.com>"), 0));
  step(() => x.mimeMark(K.MimeMarkBody, 0));
  step(() => x.mimePart(K.MimeTypePdf, put(x, "bench.pdf")));
  chunks((c) => {
    for (let pos = 0; pos < c.length; pos += cap) {
      const piece = Math.min(cap, c.length - pos);
      // a plain Uint8Array view: Buffer#subarray goes through a species constructor per call
      new Uint8Array(x.memory.buffer, inPtr, piece).set(new Uint8Array(c.buffer, c.byteOffset + pos, piece));
      let off = 0;
      while (off < piece) {
        const n = x.mimeWrite(off, piece - off);
        if (n === 0 && x.info(K.InfoMimeReason) > 0) throw new Error(`mimeWrite refused: ${x.info(K.InfoMimeReason)}`);
        off += n;
        drain();
      }
    }
  });
  step(() => x.mimeMark(K.MimeMarkPartEnd, 0));
  step(() => x.mimeMark(K.MimeMarkEnd, 0));
  return total;
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(fn: () => void): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

export async function runEncodeBench(opts: EncodeBenchOpts = {}): Promise<EncodeBenchResult> {
  const mib = opts.mib ?? (opts.quick ? 16 : 64);
  const runs = Math.max(opts.runs ?? 5, 1);
  const memMib = opts.memMib ?? 200;
  const sizes = { inCap: opts.inCap ?? 16 * 1024, outCap: opts.outCap ?? 32 * 1024, stage: opts.stage ?? 16 * 1024 };
  const wasm = await readFile(opts.wasmPath ?? new URL("../build/core.wasm", import.meta.url));
  const input = randomBytes(mib * 1024 * 1024);
  const bytes = input.length;
  // the scanner hands the host 64 KiB chunks
  const feed = (emit: (c: Uint8Array) => void) => { for (let i = 0; i < bytes; i += 65536) emit(input.subarray(i, i + 65536)); };

  const xs = await core(wasm, sizes);
  const t: Record<string, number[]> = { node: [], simd: [], scalar: [], binary: [] };
  let sink = 0;
  for (let r = 0; r < runs; r++) {
    t.node!.push(time(() => { sink += input.toString("base64").length; }));
    t.simd!.push(time(() => { sink += writeMessage(xs, false, false, feed); }));
    t.scalar!.push(time(() => { sink += writeMessage(xs, false, true, feed); }));
    t.binary!.push(time(() => { sink += writeMessage(xs, true, false, feed); }));
  }
  if (sink === 0) throw new Error("nothing encoded");
  const mbps = (k: string) => Math.round(bytes / 1e6 / median(t[k]!));

  // memory: a 200 MiB attachment from one reused 1 MiB block (the host never holds it whole)
  const block = randomBytes(1 << 20);
  const memFeed = (emit: (c: Uint8Array) => void) => { for (let i = 0; i < memMib; i++) emit(block); };
  const mem = async (binary: boolean) => {
    const x = await core(wasm, sizes);
    const before = x.memory.buffer.byteLength;
    writeMessage(x, binary, false, memFeed);
    return { before, after: x.memory.buffer.byteLength };
  };

  const node = mbps("node");
  return {
    node: process.version,
    inputMiB: mib,
    runs,
    buffers: sizes,
    mbPerS: { nodeBase64: node, writerBase64Simd: mbps("simd"), writerBase64Scalar: mbps("scalar"), writerBinary: mbps("binary") },
    ratioVsNode: {
      base64Simd: +(mbps("simd") / node).toFixed(2),
      base64Scalar: +(mbps("scalar") / node).toFixed(2),
      binary: +(mbps("binary") / node).toFixed(2),
    },
    memory: { attachmentMiB: memMib, base64: await mem(false), binary: await mem(true) },
    command: `node --import tsx bench/encode.ts --mib ${mib} --runs ${runs} --mem-mib ${memMib}`,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (k: string) => { const i = process.argv.indexOf(`--${k}`); return i > 0 ? Number(process.argv[i + 1]) : undefined; };
  const r = await runEncodeBench({ mib: arg("mib"), runs: arg("runs"), memMib: arg("mem-mib") });
  console.log(JSON.stringify(r, null, 2));
}
