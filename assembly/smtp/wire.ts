// Writing command lines into the output buffer. A line is built in the buffer's free space and
// committed by wireEnd() only when all of it fitted: a command is on the wire whole or not at all.
import { outReserve, outCommit, outFree } from "../core/buffers";

let line: usize = 0;  // where the line being built starts (outReserve's address at wireBegin)
let len: u32 = 0;     // its bytes so far
let overflow = false;

export function wireBegin(): void {
  line = outReserve(0);
  len = 0;
  overflow = false;
}

/** Room for n more bytes of this line: where they go, or 0 (and the line is lost) when full. */
export function wireReserve(n: u32): usize {
  if (overflow || n > outFree() - len) { overflow = true; return 0; }
  const p = line + len;
  len += n;
  return p;
}

export function wireLit(s: string): void {
  const n = <u32>s.length;
  const p = wireReserve(n);
  if (p) for (let i: u32 = 0; i < n; i++) store<u8>(p + i, <u8>s.charCodeAt(<i32>i));
}

export function wireBytes(src: usize, n: u32): void {
  const p = wireReserve(n);
  if (p) memory.copy(p, src, n);
}

export function wireU32(v: u32): void {
  let digits: u32 = 1;
  for (let t = v; t >= 10; t /= 10) digits++;
  const p = wireReserve(digits);
  if (!p) return;
  for (let i = digits; i > 0; i--) {
    store<u8>(p + i - 1, <u8>(0x30 + v % 10));
    v /= 10;
  }
}

/** Finish the line with CRLF and commit it. false = it did not fit; nothing of it stays. */
export function wireEnd(): bool {
  const p = wireReserve(2);
  if (!p) {
    memory.fill(line, 0, min(len, outFree())); // a half-built AUTH line holds a secret
    return false;
  }
  store<u16>(p, 0x0A0D);
  outCommit(len);
  return true;
}

/** The command just written, without CRLF (for the CommandSent event). */
export function wireStart(): usize { return line; }
export function wireLen(): u32 { return len - 2; }
