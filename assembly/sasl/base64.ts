// A small scalar base64 codec for SASL (RFC 4648 §4, with padding). SASL lines are short (a few
// hundred bytes, an OAuth token at most a few KB), so clarity beats speed here; the fast
// streaming SIMD encoder for MIME bodies lives in assembly/mime/. Nothing here allocates: the
// encoder streams into caller memory, one input byte at a time.

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

let encDst: usize = 0;
let encLen: u32 = 0;
let encAcc: u32 = 0;
let encHave: u32 = 0;

/** Bytes of base64 text for n input bytes. */
export function b64EncodedLen(n: u32): u32 {
  return (n + 2) / 3 * 4;
}

/** Start encoding into dst (caller reserved b64EncodedLen(total) bytes). */
export function b64Begin(dst: usize): void {
  encDst = dst;
  encLen = 0;
  encAcc = 0;
  encHave = 0;
}

// @ts-ignore: decorator
@inline function emit(sextet: u32): void {
  store<u8>(encDst + encLen, <u8>ALPHABET.charCodeAt(<i32>(sextet & 63)));
  encLen++;
}

export function b64Push(b: u8): void {
  encAcc = (encAcc << 8) | <u32>b;
  encHave++;
  if (encHave == 3) {
    emit(encAcc >> 18);
    emit(encAcc >> 12);
    emit(encAcc >> 6);
    emit(encAcc);
    encAcc = 0;
    encHave = 0;
  }
}

export function b64PushBytes(src: usize, len: u32): void {
  for (let i: u32 = 0; i < len; i++) b64Push(load<u8>(src + i));
}

/** Push the ASCII characters of a string literal (no allocation: reads the static string). */
export function b64PushAscii(s: string): void {
  for (let i = 0; i < s.length; i++) b64Push(<u8>s.charCodeAt(i));
}

/** Flush with '=' padding; returns the number of bytes written since b64Begin. */
export function b64End(): u32 {
  if (encHave == 1) {
    emit(encAcc >> 2);
    emit(encAcc << 4);
    store<u8>(encDst + encLen, 0x3d);
    store<u8>(encDst + encLen + 1, 0x3d);
    encLen += 2;
  } else if (encHave == 2) {
    emit(encAcc >> 10);
    emit(encAcc >> 4);
    emit(encAcc << 2);
    store<u8>(encDst + encLen, 0x3d);
    encLen++;
  }
  encAcc = 0;
  encHave = 0;
  return encLen;
}

function sextetOf(c: u32): i32 {
  if (c >= 0x41 && c <= 0x5a) return <i32>(c - 0x41);
  if (c >= 0x61 && c <= 0x7a) return <i32>(c - 0x61 + 26);
  if (c >= 0x30 && c <= 0x39) return <i32>(c - 0x30 + 52);
  if (c == 0x2b) return 62;
  if (c == 0x2f) return 63;
  return -1;
}

/**
 * Decode base64 text at src into dst (at most dstCap bytes; the rest is dropped). Padding is
 * optional; whitespace is not allowed. Returns the decoded length, or -1 for invalid text.
 */
export function b64Decode(src: usize, len: u32, dst: usize, dstCap: u32): i32 {
  let acc: u32 = 0;
  let have: u32 = 0;
  let out: u32 = 0;
  let pad: u32 = 0;
  for (let i: u32 = 0; i < len; i++) {
    const c = <u32>load<u8>(src + i);
    if (c == 0x3d) {
      pad++;
      continue;
    }
    if (pad > 0) return -1; // data after padding
    const v = sextetOf(c);
    if (v < 0) return -1;
    acc = (acc << 6) | <u32>v;
    have++;
    if (have == 4) {
      if (out < dstCap) store<u8>(dst + out, <u8>(acc >> 16));
      if (out + 1 < dstCap) store<u8>(dst + out + 1, <u8>(acc >> 8));
      if (out + 2 < dstCap) store<u8>(dst + out + 2, <u8>acc);
      out += 3;
      acc = 0;
      have = 0;
    }
  }
  if (have == 1 || pad > 2) return -1;
  if (have == 2) {
    if (out < dstCap) store<u8>(dst + out, <u8>(acc >> 4));
    out += 1;
  } else if (have == 3) {
    if (out < dstCap) store<u8>(dst + out, <u8>(acc >> 10));
    if (out + 1 < dstCap) store<u8>(dst + out + 1, <u8>(acc >> 2));
    out += 2;
  }
  return <i32>min(out, dstCap);
}
