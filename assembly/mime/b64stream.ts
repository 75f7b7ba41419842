// Streaming base64 for attachment parts: input chunks of any size, 1–2 bytes carried between
// calls, 76-char lines joined by CRLF (RFC 2045 §6.8). The CRLF is written lazily, before the
// next char of a full line, so the part's last line is followed directly by the boundary
// delimiter's own CRLF (RFC 2046 §5.1.1) and the size formula in base64.ts holds.
import { stageNeed, stageFree, stageAdvance, putCRLF, stBase, stTail } from "./stage";
import { encodeTriple, encodeTail, encodeLineSimd, encodeLineScalar, encode12 } from "./base64";

const CARRY = memory.data(4);
let carryLen: u32 = 0;
let bcol: u32 = 0; // chars on the current base64 line; 76 = full, CRLF due before the next char

export function b64Reset(): void {
  carryLen = 0;
  bcol = 0;
}

/** Nothing encoded yet in this part. */
export function b64Fresh(): bool {
  return carryLen == 0 && bcol == 0;
}

/** End of part: the 1–2 carried bytes → 4 chars with padding. False = no room, drain first. */
export function b64Finish(): bool {
  if (carryLen == 0) return true;
  if (!stageNeed(6)) return false;
  if (bcol == 76) { putCRLF(); bcol = 0; }
  encodeTail(CARRY, carryLen, stBase + stTail);
  stageAdvance(4);
  carryLen = 0;
  return true;
}

// @ts-ignore: decorator
@inline function b64Triple(a: u32, b: u32, c: u32): void {
  if (bcol == 76) { putCRLF(); bcol = 0; }
  encodeTriple(a, b, c, stBase + stTail);
  stageAdvance(4);
  bcol += 4;
}

/** Encode len bytes at src into the staging buffer; returns how many were taken. */
export function b64Data(src: usize, len: u32, simd: bool): u32 {
  let i: u32 = 0;
  if (carryLen > 0) {
    if (!stageNeed(6)) return 0;
    while (carryLen < 3 && i < len) { store<u8>(CARRY + carryLen, load<u8>(src + i)); carryLen++; i++; }
    if (carryLen < 3) return i;
    b64Triple(<u32>load<u8>(CARRY), <u32>load<u8>(CARRY, 1), <u32>load<u8>(CARRY, 2));
    carryLen = 0;
  }
  while (len - i >= 3) {
    const rest = len - i;
    const aligned = bcol == 0 || bcol == 76;
    if (ASC_FEATURE_SIMD) {
      // A build with --disable simd drops this branch at compile time and keeps the scalar path.
      // The SIMD steps must hand the sink exactly what the scalar path would (BDAT chunk sizes
      // and every wire byte are the same on a runtime without SIMD, docs/firmware.md), so they
      // run only where the scalar path would not flush the staging buffer meanwhile: the scalar
      // path flushes when a line (aligned, ≥ 57 bytes left) finds < 78 bytes free, or a triple
      // < 6. They never flush themselves; the line and triple paths below do.
      if (simd && rest >= 16 && !(aligned && rest >= 57) && stageFree() >= 20) {
        // 12 bytes → 16 chars per step at any column (a multiple of 4); a block that crosses the
        // 76th column is stored shifted by 2 and its head rewritten, leaving room for the CRLF.
        // A block starts with ≥ 20 bytes free: its four triples (16 chars + a CRLF) then each
        // find the 6 bytes the scalar triple path asks for.
        let blocks = min((rest - 4) / 12, (stageFree() - 2) / 18);
        let o = stBase + stTail;
        const start = o;
        let s = src + i;
        let c = bcol;
        for (let k: u32 = 0; k < blocks; k++) {
          // a full line with a line's worth of input left: the line and group paths take over
          if (c == 76 && len - <u32>(s - src) >= 57) { blocks = k; break; }
          const v = encode12(s);
          s += 12;
          if (c == 76) { store<u16>(o, 0x0A0D); o += 2; c = 0; }
          if (c <= 60) {
            v128.store(o, v);
            o += 16;
            c += 16;
          } else {
            const head = 76 - c; // 4, 8 or 12 chars finish this line
            v128.store(o + 2, v);
            if (head == 4) store<u32>(o, i32x4.extract_lane(v, 0));
            else {
              store<u64>(o, i64x2.extract_lane(v, 0));
              if (head == 12) store<u32>(o, i32x4.extract_lane(v, 2), 8);
            }
            store<u16>(o + head, 0x0A0D);
            o += 18;
            c = 16 - head;
          }
        }
        bcol = c;
        i += blocks * 12;
        stageAdvance(<u32>(o - start));
        continue;
      }
    }
    if (rest >= 57 && aligned) {
      // whole lines straight into the staging buffer: 57 bytes → (CRLF +) 76 chars
      let lines = min(rest / 57, stageFree() / 78);
      if (lines == 0) {
        if (!stageNeed(78)) return i;
        lines = min(rest / 57, stageFree() / 78);
      }
      let o = stBase + stTail;
      const start = o;
      for (let k: u32 = 0; k < lines; k++) {
        if (bcol == 76) { store<u16>(o, 0x0A0D); o += 2; }
        if (ASC_FEATURE_SIMD) {
          if (simd) encodeLineSimd(src + i, o); else encodeLineScalar(src + i, o);
        } else {
          encodeLineScalar(src + i, o);
        }
        bcol = 76;
        o += 76;
        i += 57;
      }
      stageAdvance(<u32>(o - start));
      continue;
    }
    if (!stageNeed(6)) return i;
    b64Triple(<u32>load<u8>(src + i), <u32>load<u8>(src + i, 1), <u32>load<u8>(src + i, 2));
    i += 3;
  }
  while (i < len) { store<u8>(CARRY + carryLen, load<u8>(src + i)); carryLen++; i++; }
  return len;
}

