// xtext (RFC 3461 §4): the encoding of DSN parameter values such as ENVID. Printable US-ASCII
// except "+" and "=" stands for itself; every other byte is "+" and two upper-case hex digits.

// @ts-ignore: decorator
@inline function plain(c: u32): bool {
  return c >= 0x21 && c <= 0x7e && c != 0x2b && c != 0x3d;
}

/** Length of `len` bytes at `src` once xtext-encoded. */
export function xtextLen(src: usize, len: u32): u32 {
  let n: u32 = 0;
  for (let i: u32 = 0; i < len; i++) n += plain(<u32>load<u8>(src + i)) ? 1 : 3;
  return n;
}

/** Encode into `dst` (room for xtextLen bytes); returns the length written. */
export function xtextEncode(dst: usize, src: usize, len: u32): u32 {
  let n: u32 = 0;
  for (let i: u32 = 0; i < len; i++) {
    const c = <u32>load<u8>(src + i);
    if (plain(c)) {
      store<u8>(dst + n++, <u8>c);
    } else {
      store<u8>(dst + n, 0x2b);
      store<u8>(dst + n + 1, hex(c >> 4));
      store<u8>(dst + n + 2, hex(c & 15));
      n += 3;
    }
  }
  return n;
}

// @ts-ignore: decorator
@inline function hex(d: u32): u8 {
  return <u8>(d < 10 ? 0x30 + d : 0x37 + d);
}
