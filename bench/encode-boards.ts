// The encode baseline at the chunk sizes the core really works with: for each shipped board,
// the scan goes through the MIME writer in core.inCap pieces (its buffers and staging area as
// host/session/driver.ts sets them up), and Node's Buffer.toString('base64') encodes the same pieces
// one by one (not one 64 MiB string). SIMD and scalar base64 both run, so what the unrolled SIMD
// path buys at each board's chunk size is a measured figure.
import { readFile, readdir } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { core, writeMessage } from "./encode.js";
import { median } from "./stats.js";

export interface BoardEncodeRow {
  board: string;
  chunkBytes: number;
  mbPerS: { nodeBase64: number; simd: number; scalar: number; binary: number };
  simdOverScalar: number;
  simdOverNode: number;
}

function time(fn: () => void): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

export async function runBoardEncodeBench(o: { quick?: boolean } = {}): Promise<BoardEncodeRow[]> {
  const mib = o.quick ? 4 : 32;
  const runs = o.quick ? 1 : 5;
  const wasm = await readFile(new URL("../build/core.wasm", import.meta.url));
  const input = randomBytes(mib << 20);
  const boardsDir = new URL("../boards/", import.meta.url);
  const rows: BoardEncodeRow[] = [];
  for (const f of (await readdir(boardsDir)).filter((n) => n.endsWith(".json") && n !== "schema.json").sort()) {
    const b = JSON.parse(await readFile(new URL(f, boardsDir), "utf8"));
    const inCap: number = b.core.inCap;
    const stage = Math.max(4096, Math.min(65536, b.core.outCap >> 2));
    const x = await core(wasm, { inCap, outCap: b.core.outCap, stage });
    const feed = (emit: (c: Uint8Array) => void) => { for (let i = 0; i < input.length; i += inCap) emit(input.subarray(i, i + inCap)); };
    const t: Record<string, number[]> = { node: [], simd: [], scalar: [], binary: [] };
    let sink = 0;
    for (let r = 0; r < runs; r++) {
      t.node!.push(time(() => { for (let i = 0; i < input.length; i += inCap) sink += input.subarray(i, i + inCap).toString("base64").length; }));
      t.simd!.push(time(() => { sink += writeMessage(x, false, false, feed); }));
      t.scalar!.push(time(() => { sink += writeMessage(x, false, true, feed); }));
      t.binary!.push(time(() => { sink += writeMessage(x, true, false, feed); }));
    }
    if (sink === 0) throw new Error("nothing encoded");
    const mbps = (k: string) => Math.round(input.length / 1e6 / median(t[k]!));
    rows.push({
      board: b.name, chunkBytes: inCap,
      mbPerS: { nodeBase64: mbps("node"), simd: mbps("simd"), scalar: mbps("scalar"), binary: mbps("binary") },
      simdOverScalar: +(mbps("simd") / mbps("scalar")).toFixed(2),
      simdOverNode: +(mbps("simd") / mbps("node")).toFixed(2),
    });
  }
  return rows;
}
