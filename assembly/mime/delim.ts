// Boundary collision check (RFC 2046 §5.1.1: the delimiter "CRLF--boundary" must not occur in
// any encapsulated part). Base64 and quoted-printable output cannot contain "=_", which every
// boundary of this writer starts with, so only raw content (binary parts, 8bit text) is scanned:
// a streaming KMP matcher over the bytes as they pass, state kept across chunks.

const PAT = memory.data(96);
const FAIL = memory.data(96);
let patLen: u32 = 0;
let state: u32 = 0;
export let collided = false;

/** Build "\r\n--" + boundary and its failure table (lengths ≤ 90). */
export function delimSet(boundary: usize, n: u32): void {
  store<u8>(PAT, 13);
  store<u8>(PAT, 10, 1);
  store<u8>(PAT, 45, 2);
  store<u8>(PAT, 45, 3);
  memory.copy(PAT + 4, boundary, n);
  patLen = n + 4;
  store<u8>(FAIL, 0);
  let k: u32 = 0;
  for (let i: u32 = 1; i < patLen; i++) {
    const c = load<u8>(PAT + i);
    while (k > 0 && load<u8>(PAT + k) != c) k = <u32>load<u8>(FAIL + k - 1);
    if (load<u8>(PAT + k) == c) k++;
    store<u8>(FAIL + i, <u8>k);
  }
  collided = false;
  state = 0;
}

/** A part body starts right after the CRLF CRLF ending its headers: as if CRLF was just seen. */
export function delimStartOfPart(): void {
  state = 2;
}

/** Scan n bytes; sets `collided` when the delimiter completes. */
export function delimScan(p: usize, n: u32): void {
  let q = state;
  let i: u32 = 0;
  while (i < n) {
    if (q == 0) {
      // fast skip to the next CR: the delimiter can only start there (16 bytes per SIMD step)
      if (ASC_FEATURE_SIMD) {
        while (i + 16 <= n && !v128.any_true(i8x16.eq(v128.load(p + i), i8x16.splat(13)))) i += 16;
      }
      while (i < n && load<u8>(p + i) != 13) i++;
      if (i == n) break;
    }
    const c = load<u8>(p + i);
    while (q > 0 && load<u8>(PAT + q) != c) q = <u32>load<u8>(FAIL + q - 1);
    if (load<u8>(PAT + q) == c) q++;
    if (q == patLen) {
      collided = true;
      q = <u32>load<u8>(FAIL + q - 1);
    }
    i++;
  }
  state = q;
}

// @ts-ignore: decorator
@inline export function delimByte(c: u8): void {
  let q = state;
  while (q > 0 && load<u8>(PAT + q) != c) q = <u32>load<u8>(FAIL + q - 1);
  if (load<u8>(PAT + q) == c) q++;
  if (q == patLen) { collided = true; q = <u32>load<u8>(FAIL + q - 1); }
  state = q;
}
