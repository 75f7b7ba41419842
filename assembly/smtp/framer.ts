// Body framing for the two ways a message travels (the session decides which):
//   DATA  RFC 5321 §4.5.2 dot-stuffing (a line starting with "." gets another ".") and §2.3.8
//         line endings: a bare CR or a bare LF never reaches the wire, both become CRLF.
//         End: CRLF if the last line is open, then ".\r\n".
//   BDAT  RFC 3030 §2: "BDAT n\r\n" + exactly n octets, no stuffing. With BODY=BINARYMIME the
//         octets go as they are; with plain CHUNKING the lines are still normalised to CRLF.
// State carries across calls, so a CR at the end of one write and an LF at the start of the
// next still make one CRLF.
import { outReserve, outCommit, outFree } from "../core/buffers";

let atLineStart = true;
let pendingCR = false;

export function framerReset(): void {
  atLineStart = true;
  pendingCR = false;
}

export let produced: u32 = 0; // bytes written by the last normalise()

/**
 * Normalise src into dst (at most cap bytes), dot-stuffing when stuff is set.
 * Returns input bytes consumed; sets `produced`. Stops when fewer than 4 bytes of room remain
 * (the most one input byte can produce: CR LF "." ".").
 */
export function normalise(src: usize, len: u32, dst: usize, cap: u32, stuff: bool): u32 {
  let i: u32 = 0;
  let o: u32 = 0;
  while (i < len && cap - o >= 4) {
    const b = load<u8>(src + i);
    if (pendingCR) {
      pendingCR = false;
      store<u16>(dst + o, 0x0a0d); // CR LF
      o += 2;
      atLineStart = true;
      if (b == 0x0a) { i++; continue; } // CR LF in the input: already written
      // a bare CR ended the line; fall through to handle b at the start of the next one
    }
    if (b == 0x0d) {
      pendingCR = true;
      i++;
      continue;
    }
    if (b == 0x0a) { // bare LF
      store<u16>(dst + o, 0x0a0d);
      o += 2;
      atLineStart = true;
      i++;
      continue;
    }
    if (atLineStart && stuff && b == 0x2e) {
      store<u8>(dst + o, 0x2e);
      o++;
    }
    atLineStart = false;
    // fast path: copy the run of ordinary bytes up to the next CR or LF in one go
    let j = i + 1;
    const limit = min(len, i + (cap - o)); // cap - o >= 1 here: 4 at the top, at most 3 used

    while (j < limit) {
      const c = load<u8>(src + j);
      if (c == 0x0d || c == 0x0a) break;
      j++;
    }
    memory.copy(dst + o, src + i, j - i);
    o += j - i;
    i = j;
  }
  produced = o;
  return i;
}

/** Bytes that close the body: a pending CR, and a CRLF if the last line is still open. */
export function closingLen(): u32 {
  if (pendingCR) return 2;
  return atLineStart ? 0 : 2;
}

/** Write closingLen() bytes at dst. */
export function writeClosing(dst: usize): u32 {
  const n = closingLen();
  if (n) store<u16>(dst, 0x0a0d);
  pendingCR = false;
  atLineStart = true;
  return n;
}

/** DATA: frame into the output buffer directly. */
export function dataWrite(src: usize, len: u32): u32 {
  const free = outFree();
  const dst = outReserve(4);
  if (!dst) return 0;
  const used = normalise(src, len, dst, free, true);
  outCommit(produced);
  return used;
}

/** Is the last line open (the body did not end with a line break)? */
export function lineOpen(): bool {
  return pendingCR || !atLineStart;
}
