import { base64Block, base64Size } from "../../../assembly/mime/base64";

const SRC = memory.data(1024);
const DST = memory.data(2048);
const DST2 = memory.data(2048);

function fill(s: string): u32 {
  for (let i = 0; i < s.length; i++) store<u8>(SRC + i, <u8>s.charCodeAt(i));
  return <u32>s.length;
}

function text(p: usize, n: u32): string {
  let s = "";
  for (let i: u32 = 0; i < n; i++) s += String.fromCharCode(load<u8>(p + i));
  return s;
}

describe("base64 (RFC 4648 §10 vectors)", () => {
  it("encodes every length mod 3 on both paths", () => {
    const ins = ["", "f", "fo", "foo", "foob", "fooba", "foobar"];
    const outs = ["", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"];
    for (let k = 0; k < ins.length; k++) {
      const n = fill(ins[k]);
      expect(text(DST, base64Block(SRC, n, DST, false))).toBe(outs[k]);
      expect(text(DST, base64Block(SRC, n, DST, true))).toBe(outs[k]);
    }
  });
  it("breaks lines at 76 characters with CRLF", () => {
    for (let i = 0; i < 58; i++) store<u8>(SRC + i, 0);
    const n = base64Block(SRC, 58, DST, true);
    expect(n).toBe(76 + 2 + 4);
    expect(load<u8>(DST + 76)).toBe(13);
    expect(load<u8>(DST + 77)).toBe(10);
    expect(text(DST + 78, 4)).toBe("AA==");
  });
  it("SIMD and scalar agree on pseudo-random data, and the size formula holds", () => {
    let seed: u32 = 0x9E3779B9;
    for (let i = 0; i < 1024; i++) {
      seed ^= seed << 13; seed ^= seed >> 17; seed ^= seed << 5;
      store<u8>(SRC + i, <u8>seed);
    }
    for (let n: u32 = 0; n < 400; n += 7) {
      const a = base64Block(SRC, n, DST, true);
      const b = base64Block(SRC, n, DST2, false);
      expect(a).toBe(b);
      expect(memory.compare(DST, DST2, a)).toBe(0);
      expect(<f64>a).toBe(base64Size(<f64>n));
    }
  });
});
