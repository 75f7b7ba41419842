// Test helper: a fresh core (host/core/core.ts Core) with the MIME writer configured.
import { Core } from "../../host/core/core.js";
import { MimeWriter } from "../../host/core/mime.js";

export interface Sizes { inCap?: number; outCap?: number; stage?: number; wasmPath?: string }

export async function freshWriter(s: Sizes = {}): Promise<MimeWriter> {
  const core = await Core.create({ inCap: s.inCap ?? 4096, outCap: s.outCap ?? 8192, lineMax: 1024, eventTextCap: 512 },
    s.wasmPath ? { wasmPath: s.wasmPath } : {});
  const w = new MimeWriter(core);
  w.configure(s.stage ?? 4096);
  return w;
}

export function collector(): { chunks: Uint8Array[]; write: (b: Uint8Array) => void; bytes: () => Buffer } {
  const chunks: Uint8Array[] = [];
  return { chunks, write: (b) => { chunks.push(b); }, bytes: () => Buffer.concat(chunks) };
}
