// The extension table from an EHLO reply (RFC 5321 §4.1.1.1): one keyword per line after the
// greeting line, keywords case-insensitive. Forgotten entirely after STARTTLS (RFC 3207 §4.2).
import {
  CapPipelining, CapStartTls, CapSize, Cap8BitMime, CapSmtpUtf8, CapChunking, CapBinaryMime,
  CapEnhancedStatusCodes, CapDsn, CapAuth, MechPlain, MechLogin, MechXoauth2,
} from "./fields";

export let capFlags: i32 = 0;
export let capSize: u32 = 0;   // SIZE n (RFC 1870); 0 = no limit announced
export let capAuth: i32 = 0;   // Mech* bits offered by AUTH

export function capsClear(): void {
  capFlags = 0;
  capSize = 0;
  capAuth = 0;
}

// @ts-ignore: decorator
@inline function upper(c: u32): u32 {
  return c - 0x61 < 26 ? c - 32 : c;
}

/** Does the word at p (length n) equal the upper-case ASCII literal w, ignoring case? */
function wordIs(p: usize, n: u32, w: string): bool {
  if (<i32>n != w.length) return false;
  for (let i: u32 = 0; i < n; i++) {
    if (upper(<u32>load<u8>(p + i)) != <u32>w.charCodeAt(<i32>i)) return false;
  }
  return true;
}

function wordEnd(p: usize, from: u32, n: u32): u32 {
  let i = from;
  while (i < n && load<u8>(p + i) != 0x20 && load<u8>(p + i) != 0x3d) i++;
  return i;
}

/** One extension line (text after "250-"/"250 "). */
export function capsLine(p: usize, n: u32): void {
  const k = wordEnd(p, 0, n);
  if (wordIs(p, k, "PIPELINING")) capFlags |= CapPipelining;
  else if (wordIs(p, k, "STARTTLS")) capFlags |= CapStartTls;
  else if (wordIs(p, k, "8BITMIME")) capFlags |= Cap8BitMime;
  else if (wordIs(p, k, "SMTPUTF8")) capFlags |= CapSmtpUtf8;
  else if (wordIs(p, k, "CHUNKING")) capFlags |= CapChunking;
  else if (wordIs(p, k, "BINARYMIME")) capFlags |= CapBinaryMime;
  else if (wordIs(p, k, "ENHANCEDSTATUSCODES")) capFlags |= CapEnhancedStatusCodes;
  else if (wordIs(p, k, "DSN")) capFlags |= CapDsn;
  else if (wordIs(p, k, "SIZE")) {
    capFlags |= CapSize;
    capSize = parseSize(p, k + 1, n);
  } else if (wordIs(p, k, "AUTH")) {
    // "AUTH PLAIN LOGIN" (RFC 4954) and the old "AUTH=PLAIN LOGIN" some servers still send
    capFlags |= CapAuth;
    let i = k + 1;
    while (i < n) {
      const e = wordEnd(p, i, n);
      if (wordIs(p + i, e - i, "PLAIN")) capAuth |= MechPlain;
      else if (wordIs(p + i, e - i, "LOGIN")) capAuth |= MechLogin;
      else if (wordIs(p + i, e - i, "XOAUTH2")) capAuth |= MechXoauth2;
      i = e + 1;
    }
  }
}

/** Decimal after "SIZE "; saturates instead of wrapping; absent or junk = 0 (no limit). */
function parseSize(p: usize, from: u32, n: u32): u32 {
  let v: u64 = 0;
  for (let i = from; i < n; i++) {
    const d = <u32>load<u8>(p + i) - 0x30;
    if (d >= 10) return 0;
    v = v * 10 + d;
    if (v > 0xffffffff) return 0xffffffff;
  }
  return <u32>v;
}
