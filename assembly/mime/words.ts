// Header text encodings: RFC 2047 encoded-words (Subject, display names), quoted-strings, and
// RFC 2231 parameter values (file names). All write into the staging buffer; the caller reserved
// room with stageNeed(bound) first, using the *Bound() functions below.
import { put, putCRLF, putStr, stBase, stTail } from "./stage";
import { encodeTriple, encodeTail } from "./base64";

/** Column of the header line being written (for folding at 78, RFC 5322 §2.1.1). */
export let hcol: u32 = 0;
export function setCol(c: u32): void { hcol = c; }

/** Fold: CRLF then one space (RFC 5322 §2.2.3 folding inserts CRLF before WSP). */
export function fold(): void {
  putCRLF();
  put(0x20);
  hcol = 1;
}

function putB64(p: usize, n: u32): void {
  let i: u32 = 0;
  while (n - i >= 3) {
    encodeTriple(<u32>load<u8>(p + i), <u32>load<u8>(p + i, 1), <u32>load<u8>(p + i, 2), stBase + stTail);
    // @ts-ignore: stTail is a mutable module global
    advance(4);
    i += 3;
  }
  if (i < n) { encodeTail(p + i, n - i, stBase + stTail); advance(4); }
}

import { stageAdvance } from "./stage";
// @ts-ignore: decorator
@inline function advance(n: u32): void { stageAdvance(n); }

/** Worst-case staged bytes for encodeWords over n input bytes. */
export function wordsBound(n: u32): u32 { return 2 * n + 128; }

/** RFC 2047 §2 encoded-words "=?UTF-8?B?…?=", each ≤ 75 chars, each line ≤ 78, a UTF-8
 *  sequence never split between two words (§5 rule: each word decodes on its own). Words after
 *  the first go on their own folded line; the whitespace between words is ignored (§6.2). */
export function encodeWords(p: usize, n: u32): void {
  let i: u32 = 0;
  let first = true;
  while (i < n || first) {
    if (!first || hcol + 12 + 16 > 78) fold();
    first = false;
    let maxChars: u32 = <u32>78 - hcol - 12;
    if (maxChars > 63) maxChars = 63; // a word is at most 75 chars (RFC 2047 §2)
    let take: u32 = (maxChars / 4) * 3;
    if (take > n - i) take = n - i;
    // back off to the start of a UTF-8 sequence
    while (take > 0 && i + take < n && (load<u8>(p + i + take) & 0xC0) == 0x80) take--;
    putStr("=?UTF-8?B?");
    putB64(p + i, take);
    putStr("?=");
    hcol += 12 + ((take + 2) / 3) * 4;
    i += take;
    if (n == 0) break;
  }
}

/** Worst case for putQuoted over n bytes. */
export function quotedBound(n: u32): u32 { return 2 * n + 4; }

/** RFC 5322 §3.2.4 quoted-string; '"' and '\' escaped. Non-ASCII bytes become '_' when
 *  `asciiOnly` (the plain filename= fallback of RFC 2231 / RFC 6266 §4.3). */
export function putQuoted(p: usize, n: u32, asciiOnly: bool): void {
  put(0x22);
  hcol++;
  for (let i: u32 = 0; i < n; i++) {
    const c = <u32>load<u8>(p + i);
    if (asciiOnly && (c >= 0x80 || c < 0x20 || c == 0x7F)) {
      if (c >= 0x80 && (c & 0xC0) == 0x80) continue; // continuation byte: one '_' per character
      put(0x5F);
      hcol++;
      continue;
    }
    if (c == 0x22 || c == 0x5C) { put(0x5C); hcol++; }
    put(c);
    hcol++;
  }
  put(0x22);
  hcol++;
}

/** RFC 2231 §7 attribute-char: ALPHA / DIGIT / "!#$&+-.^_`|~". */
function attrChar(c: u32): bool {
  if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)) return true;
  return c == 0x21 || c == 0x23 || c == 0x24 || c == 0x26 || c == 0x2B || c == 0x2D || c == 0x2E ||
    c == 0x5E || c == 0x5F || c == 0x60 || c == 0x7C || c == 0x7E;
}

/** Length of the UTF-8 sequence starting with lead byte c. */
function seqLen(c: u32): u32 {
  if (c < 0x80) return 1;
  if (c < 0xE0) return 2;
  if (c < 0xF0) return 3;
  return 4;
}

/** Worst case for putExtValue over n bytes (3× plus one continuation line per 20 bytes). */
export function extBound(n: u32): u32 { return 4 * n + 300; }

const HEX = memory.data<u8>([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 65, 66, 67, 68, 69, 70]);

function putPct(c: u32): void {
  put(0x25);
  put(<u32>load<u8>(HEX + (c >> 4)));
  put(<u32>load<u8>(HEX + (c & 15)));
}

/** RFC 2231 `name*=UTF-8''%E2%82%AC…` (§4), split into `name*0*=`, `name*1*=`… continuations
 *  (§3) when longer than one line; a segment never splits a %XX or a UTF-8 sequence. Writes the
 *  leading ";" fold itself. */
export function putExtValue(name: string, p: usize, n: u32): void {
  // total encoded length decides between one parameter and continuations
  let total: u32 = 0;
  for (let i: u32 = 0; i < n; i++) total += attrChar(<u32>load<u8>(p + i)) ? 1 : 3;
  const SEG: u32 = 54;
  const single = total <= SEG;
  let i: u32 = 0;
  let seg: u32 = 0;
  while (i < n || seg == 0) {
    put(0x3B); // ';' ends the previous parameter
    fold();
    putStr(name);
    if (!single) { put(0x2A); putDecSmall(seg); }
    putStr("*=");
    if (seg == 0) putStr("UTF-8''");
    let used: u32 = 0;
    while (i < n) {
      const len = seqLen(<u32>load<u8>(p + i));
      let cost: u32 = 0;
      for (let k: u32 = 0; k < len && i + k < n; k++) cost += attrChar(<u32>load<u8>(p + i + k)) ? 1 : 3;
      if (used > 0 && used + cost > SEG) break;
      for (let k: u32 = 0; k < len && i < n; k++) {
        const c = <u32>load<u8>(p + i);
        if (attrChar(c)) put(c); else putPct(c);
        i++;
      }
      used += cost;
    }
    seg++;
    if (n == 0) break;
  }
  hcol = 0;
}

function putDecSmall(v: u32): void {
  if (v >= 10) putDecSmall(v / 10);
  put(0x30 + v % 10);
}

/** True when a filename needs the RFC 2231 form: non-ASCII, controls, or quote/backslash. */
export function needsExt(p: usize, n: u32): bool {
  for (let i: u32 = 0; i < n; i++) {
    const c = load<u8>(p + i);
    if (c >= 0x7F || c < 0x20 || c == 0x22 || c == 0x5C) return true;
  }
  return false;
}
