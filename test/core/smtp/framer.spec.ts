import { framerReset, normalise, produced, closingLen, writeClosing } from "../../../assembly/smtp/framer";

const dst = memory.data(4096);

/** Frame `input` for DATA in pieces of `step` bytes, then close it; returns the wire text. */
function frame(input: string, step: i32, stuff: bool = true): string {
  framerReset();
  const b = String.UTF8.encode(input);
  const p = changetype<usize>(b);
  const n = b.byteLength;
  let o: u32 = 0;
  let off = 0;
  while (off < n) {
    const len = min(step, n - off);
    const used = normalise(p + off, <u32>len, dst + o, 4096 - o, stuff);
    o += produced;
    off += <i32>used;
  }
  o += writeClosing(dst + o);
  return String.UTF8.decodeUnsafe(dst, o);
}

describe("DATA framing (RFC 5321 §4.5.2, §2.3.8)", () => {
  it("dot-stuffs every line that starts with a dot, whatever the split", () => {
    const input = ".a\r\n..b\r\nc.\r\n.\r\n";
    const want = "..a\r\n...b\r\nc.\r\n..\r\n";
    for (let step = 1; step <= input.length; step++) expect(frame(input, step)).toBe(want);
  });
  it("turns bare LF and bare CR into CRLF, also across writes", () => {
    const input = "a\nb\rc\r\nd\r";
    const want = "a\r\nb\r\nc\r\nd\r\n";
    for (let step = 1; step <= input.length; step++) expect(frame(input, step)).toBe(want);
  });
  it("stuffs a dot after a bare CR or bare LF line break", () => {
    expect(frame("x\r.y\n.z", 1)).toBe("x\r\n..y\r\n..z\r\n");
  });
  it("closes an open last line and leaves a closed one alone", () => {
    framerReset();
    expect(closingLen()).toBe(0);
    expect(frame("abc", 2)).toBe("abc\r\n");
    expect(frame("abc\r\n", 2)).toBe("abc\r\n");
  });
  it("does not stuff for BDAT", () => {
    expect(frame(".a\n.", 1, false)).toBe(".a\r\n.\r\n");
  });
  it("stops before overrunning a small destination", () => {
    framerReset();
    const b = String.UTF8.encode("\n\n\n\n\n\n");
    const used = normalise(changetype<usize>(b), 6, dst, 7, true);
    expect(produced <= 7).toBe(true);
    expect(used).toBe(2); // each LF makes two bytes; a third would leave < 4 bytes of room
  });
});
