// Writing command lines into the output buffer. A command is written whole or not at all: the
// writer notes where it started and rolls back if any piece does not fit (wireEnd returns false).
import { outBase, outSize, outUsed } from "../core/buffers";
import * as buffers from "../core/buffers";

let start: u32 = 0;
let overflow = false;

export function wireBegin(): void {
  start = outUsed;
  overflow = false;
}

export function wireLit(s: string): void {
  const n = <u32>s.length;
  if (overflow || n > outSize - outUsed) { overflow = true; return; }
  const p = outBase + outUsed;
  for (let i: u32 = 0; i < n; i++) store<u8>(p + i, <u8>s.charCodeAt(<i32>i));
  buffers.outUsed = outUsed + n;
}

export function wireBytes(src: usize, n: u32): void {
  if (overflow || n > outSize - outUsed) { overflow = true; return; }
  memory.copy(outBase + outUsed, src, n);
  buffers.outUsed = outUsed + n;
}

export function wireU32(v: u32): void {
  let digits: u32 = 1;
  let t = v;
  while (t >= 10) { t /= 10; digits++; }
  if (overflow || digits > outSize - outUsed) { overflow = true; return; }
  const p = outBase + outUsed;
  for (let i = digits; i > 0; i--) {
    store<u8>(p + i - 1, <u8>(0x30 + v % 10));
    v /= 10;
  }
  buffers.outUsed = outUsed + digits;
}

/** Reserve n bytes and return where they start (0 when they do not fit). */
export function wireReserve(n: u32): usize {
  if (overflow || n > outSize - outUsed) { overflow = true; return 0; }
  const p = outBase + outUsed;
  buffers.outUsed = outUsed + n;
  return p;
}

/** Give back the unused tail of a reservation. */
export function wireUnreserve(n: u32): void {
  buffers.outUsed = outUsed - n;
}

/** Finish the line with CRLF. false = it did not fit; nothing of it stays in the buffer. */
export function wireEnd(): bool {
  wireLit("\r\n");
  if (overflow) {
    memory.fill(outBase + start, 0, outUsed - start);
    buffers.outUsed = start;
    return false;
  }
  return true;
}

/** The command just written, without CRLF (for the CommandSent event). */
export function wireStart(): usize { return outBase + start; }
export function wireLen(): u32 { return outUsed - start - 2; }
