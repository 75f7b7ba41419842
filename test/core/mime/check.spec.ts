import { checkInjection, checkUtf8, checkAddress } from "../../../assembly/mime/check";
import { StatusDone, ReasonHeaderInjection, ReasonBadUtf8, ReasonBadAddress } from "../../../assembly/mime/consts";

const BUF = memory.data(256);

function fillBytes(b: u8[]): u32 {
  for (let i = 0; i < b.length; i++) store<u8>(BUF + i, b[i]);
  return <u32>b.length;
}
function fillStr(s: string): u32 {
  for (let i = 0; i < s.length; i++) store<u8>(BUF + i, <u8>s.charCodeAt(i));
  return <u32>s.length;
}

describe("header value checks", () => {
  it("refuses CR, LF and NUL anywhere", () => {
    expect(checkInjection(BUF, fillStr("plain subject"))).toBe(StatusDone);
    expect(checkInjection(BUF, fillStr("a\rb"))).toBe(ReasonHeaderInjection);
    expect(checkInjection(BUF, fillStr("a\nBcc: x@y"))).toBe(ReasonHeaderInjection);
    expect(checkInjection(BUF, fillBytes([0x41, 0x00]))).toBe(ReasonHeaderInjection);
  });
  it("accepts well-formed UTF-8 and refuses overlongs, surrogates, truncation", () => {
    expect(checkUtf8(BUF, fillBytes([0xC3, 0x9C, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80]))).toBe(StatusDone);
    expect(checkUtf8(BUF, fillBytes([0xC0, 0x80]))).toBe(ReasonBadUtf8);
    expect(checkUtf8(BUF, fillBytes([0xE0, 0x80, 0x80]))).toBe(ReasonBadUtf8);
    expect(checkUtf8(BUF, fillBytes([0xED, 0xA0, 0x80]))).toBe(ReasonBadUtf8);
    expect(checkUtf8(BUF, fillBytes([0xE2, 0x82]))).toBe(ReasonBadUtf8);
    expect(checkUtf8(BUF, fillBytes([0xF4, 0x90, 0x80, 0x80]))).toBe(ReasonBadUtf8);
  });
  it("takes plain addr-specs only", () => {
    expect(checkAddress(BUF, fillStr("scan@example.com"))).toBe(StatusDone);
    expect(checkAddress(BUF, fillStr("no-at"))).toBe(ReasonBadAddress);
    expect(checkAddress(BUF, fillStr("a@b@c"))).toBe(ReasonBadAddress);
    expect(checkAddress(BUF, fillStr("a@b>, c@d"))).toBe(ReasonBadAddress);
    expect(checkAddress(BUF, fillStr("@b"))).toBe(ReasonBadAddress);
    expect(checkAddress(BUF, fillStr("a@b\r\n"))).toBe(ReasonHeaderInjection);
  });
});
