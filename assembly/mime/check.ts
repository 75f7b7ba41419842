// Checks on host-supplied header values, run before a single byte of the item is staged.
// Header injection (CR, LF, NUL smuggled into a value) is refused outright: RFC 5322 §2.2 header
// bodies cannot contain CR or LF except as folding, which only the writer itself inserts.
import { StatusDone, ReasonHeaderInjection, ReasonBadUtf8, ReasonBadAddress, ReasonTooLong } from "./consts";

/** CR, LF or NUL anywhere → ReasonHeaderInjection; otherwise StatusDone. */
export function checkInjection(p: usize, n: u32): i32 {
  for (let i: u32 = 0; i < n; i++) {
    const c = load<u8>(p + i);
    if (c == 13 || c == 10 || c == 0) return ReasonHeaderInjection;
  }
  return StatusDone;
}

/** Well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, ≤ U+10FFFF). */
export function checkUtf8(p: usize, n: u32): i32 {
  let i: u32 = 0;
  while (i < n) {
    const c = <u32>load<u8>(p + i);
    if (c < 0x80) { i++; continue; }
    let need: u32 = 0;
    let min: u32 = 0;
    let cp: u32 = 0;
    if (c >= 0xC2 && c <= 0xDF) { need = 1; cp = c & 0x1F; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { need = 2; cp = c & 0x0F; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { need = 3; cp = c & 0x07; min = 0x10000; }
    else return ReasonBadUtf8;
    if (i + need >= n) return ReasonBadUtf8;
    for (let k: u32 = 1; k <= need; k++) {
      const d = <u32>load<u8>(p + i + k);
      if ((d & 0xC0) != 0x80) return ReasonBadUtf8;
      cp = (cp << 6) | (d & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return ReasonBadUtf8;
    i += need + 1;
  }
  return StatusDone;
}

/** Every byte printable ASCII (space allowed when `space`). */
export function isPrintable(p: usize, n: u32, space: bool): bool {
  for (let i: u32 = 0; i < n; i++) {
    const c = load<u8>(p + i);
    if (c > 0x7E || c < 0x20 || (c == 0x20 && !space)) return false;
  }
  return true;
}

/** Contains the two bytes a,b in sequence. */
export function contains2(p: usize, n: u32, a: u8, b: u8): bool {
  for (let i: u32 = 1; i < n; i++) {
    if (load<u8>(p + i - 1) == a && load<u8>(p + i) == b) return true;
  }
  return false;
}

/** A plain addr-spec local@domain (RFC 5322 §3.4.1 dot-atom form, ASCII only): the writer puts
 *  it between < > verbatim, so specials that would end or split the angle-addr are refused. */
export function checkAddress(p: usize, n: u32): i32 {
  const inj = checkInjection(p, n);
  if (inj != StatusDone) return inj;
  if (n == 0) return ReasonBadAddress;
  if (n > 254) return ReasonTooLong;
  let at: i32 = -1;
  for (let i: u32 = 0; i < n; i++) {
    const c = load<u8>(p + i);
    if (c <= 0x20 || c >= 0x7F) return ReasonBadAddress;
    // RFC 5322 §3.2.3 specials other than '.' and '@'
    if (c == 0x3C || c == 0x3E || c == 0x28 || c == 0x29 || c == 0x5B || c == 0x5D || c == 0x3A ||
        c == 0x3B || c == 0x2C || c == 0x5C || c == 0x22) return ReasonBadAddress;
    if (c == 0x40) {
      if (at >= 0) return ReasonBadAddress;
      at = <i32>i;
    }
  }
  if (at <= 0 || <u32>at == n - 1) return ReasonBadAddress;
  return StatusDone;
}
