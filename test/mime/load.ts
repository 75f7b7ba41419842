// Test helper: a fresh release core instance with the MIME writer configured.
import { readFile } from "node:fs/promises";
import { MimeWriter, type MimeExports } from "../../host/mime.js";

let wasm: Uint8Array | null = null;

export interface Sizes { inCap?: number; outCap?: number; stage?: number }

export async function freshWriter(s: Sizes = {}): Promise<MimeWriter> {
  wasm ??= await readFile(new URL("../../build/core.wasm", import.meta.url));
  const { instance } = await WebAssembly.instantiate(wasm, { env: { abort() { throw new Error("core abort"); } } });
  const x = instance.exports as unknown as MimeExports & { configure(a: number, b: number, c: number, d: number): number };
  const r = x.configure(s.inCap ?? 4096, s.outCap ?? 8192, 1024, 512);
  if (r !== 0) throw new Error(`configure ${r}`);
  const w = new MimeWriter({ x });
  w.configure(s.stage ?? 4096);
  return w;
}

export function collector(): { chunks: Uint8Array[]; write: (b: Uint8Array) => void; bytes: () => Buffer } {
  const chunks: Uint8Array[] = [];
  return { chunks, write: (b) => { chunks.push(b); }, bytes: () => Buffer.concat(chunks) };
}
