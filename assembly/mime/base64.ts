// Base64 (RFC 2045 §6.8) for attachment bodies: 76-character lines, streaming across chunks of
// any size. Full 57-byte input lines take a WebAssembly SIMD path (12 bytes → 16 chars per
// step) or a scalar path; partial lines and the 1–2 byte carry go through encodeTriple().

const ALPHABET = memory.data<u8>([
  65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90,
  97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117,
  118, 119, 120, 121, 122, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 43, 47,
]);

// @ts-ignore: decorator
@inline function ch(i: u32): u32 {
  return <u32>load<u8>(ALPHABET + (i & 63));
}

/** 3 bytes (a,b,c) → 4 chars at dst, written as one little-endian u32 store. */
// @ts-ignore: decorator
@inline export function encodeTriple(a: u32, b: u32, c: u32, dst: usize): void {
  const w = (a << 16) | (b << 8) | c;
  store<u32>(dst, ch(w >> 18) | (ch(w >> 12) << 8) | (ch(w >> 6) << 16) | (ch(w) << 24));
}

/** The last 1 or 2 bytes of a part → 4 chars with '=' padding. */
export function encodeTail(src: usize, n: u32, dst: usize): void {
  const a = <u32>load<u8>(src);
  const b = n > 1 ? <u32>load<u8>(src + 1) : 0;
  const w = (a << 16) | (b << 8);
  const c2 = n > 1 ? ch(w >> 6) : 61;
  store<u32>(dst, ch(w >> 18) | (ch(w >> 12) << 8) | (c2 << 16) | (61 << 24));
}

/** One full line: 57 input bytes → 76 chars, scalar. */
export function encodeLineScalar(src: usize, dst: usize): void {
  for (let i: usize = 0; i < 19; i++) {
    encodeTriple(<u32>load<u8>(src), <u32>load<u8>(src, 1), <u32>load<u8>(src, 2), dst);
    src += 3;
    dst += 4;
  }
}


/** 12 bytes at src (16 are loaded; the caller guarantees they are readable) → 16 chars. */
// @ts-ignore: decorator
@inline export function encode12(src: usize): v128 {
  // (constants live here, not as globals, so a build with --disable simd compiles: every v128
  // use sits behind `if (ASC_FEATURE_SIMD)` in the callers)
  // byte order per 32-bit lane for triple (a,b,c): [b, a, c, b], so lane = (a<<8|b) | (b<<8|c)<<16
  const SHUF = i8x16(1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10);
  // sextet → ASCII by offset (indexed by a reduced sextet): 0–25 +65 'A', 26–51 +71 'a'-26,
  // 52–61 −4 '0'-52, 62 −19 '+', 63 −16 '/'
  const OFFSETS = i8x16(71, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -19, -16, 65, 0, 0);
  const lane = i8x16.swizzle(v128.load(src), SHUF);
  // sextets: a>>2 → byte 0, (a&3)<<4|b>>4 → byte 1, (b&15)<<2|c>>6 → byte 2, c&63 → byte 3
  const idx = v128.or(
    v128.or(
      v128.and(i32x4.shr_u(lane, 10), i32x4.splat(0x0000003F)),
      v128.and(i32x4.shl(lane, 4), i32x4.splat(0x00003F00)),
    ),
    v128.or(
      v128.and(i32x4.shr_u(lane, 6), i32x4.splat(0x003F0000)),
      v128.and(i32x4.shl(lane, 8), i32x4.splat(0x3F000000)),
    ),
  );
  // 52–63 → 1–12, 0–25 → 13, 26–51 → 0
  let red = i8x16.sub_sat_u(idx, i8x16.splat(51));
  red = v128.or(red, v128.and(i8x16.lt_u(idx, i8x16.splat(26)), i8x16.splat(13)));
  return i8x16.add(idx, i8x16.swizzle(OFFSETS, red));
}

/** One full line with SIMD: 4 × 12 bytes (loads stay inside the 57) + 3 scalar triples. */
export function encodeLineSimd(src: usize, dst: usize): void {
  v128.store(dst, encode12(src));
  v128.store(dst + 16, encode12(src + 12));
  v128.store(dst + 32, encode12(src + 24));
  v128.store(dst + 48, encode12(src + 36));
  encodeTriple(<u32>load<u8>(src, 48), <u32>load<u8>(src, 49), <u32>load<u8>(src, 50), dst + 64);
  encodeTriple(<u32>load<u8>(src, 51), <u32>load<u8>(src, 52), <u32>load<u8>(src, 53), dst + 68);
  encodeTriple(<u32>load<u8>(src, 54), <u32>load<u8>(src, 55), <u32>load<u8>(src, 56), dst + 72);
}

/** Encoded size of n bytes as this writer lays it out: 76-char lines joined by CRLF (the CRLF
 *  after the last line belongs to the next boundary delimiter, RFC 2046 §5.1.1). */
export function base64Size(n: f64): f64 {
  if (n <= 0) return 0;
  const quads = Math.ceil(n / 3);
  const lines = Math.ceil(n / 57);
  return quads * 4 + (lines - 1) * 2;
}

/** Standalone encoder for tests and the bench: src[0..n) → dst, lines of 76 joined by CRLF.
 *  Returns bytes written. */
export function base64Block(src: usize, n: u32, dst: usize, simd: bool): u32 {
  let o = dst;
  let i: u32 = 0;
  let first = true;
  while (n - i >= 57) {
    if (!first) { store<u16>(o, 0x0A0D); o += 2; }
    if (ASC_FEATURE_SIMD) {
      if (simd) encodeLineSimd(src + i, o); else encodeLineScalar(src + i, o);
    } else {
      encodeLineScalar(src + i, o);
    }
    o += 76;
    i += 57;
    first = false;
  }
  if (i < n) {
    if (!first) { store<u16>(o, 0x0A0D); o += 2; }
    while (n - i >= 3) {
      encodeTriple(<u32>load<u8>(src + i), <u32>load<u8>(src + i, 1), <u32>load<u8>(src + i, 2), o);
      o += 4;
      i += 3;
    }
    if (i < n) { encodeTail(src + i, n - i, o); o += 4; }
  }
  return <u32>(o - dst);
}
