import { b64Begin, b64PushBytes, b64End, b64Decode, b64EncodedLen } from "../../../assembly/sasl/base64";
import { plainLen, writePlain, xoauth2Len, writeXoauth2, writeLoginItem } from "../../../assembly/sasl/mechs";

const dst = memory.data(1024);

function bytes(s: string): ArrayBuffer {
  return String.UTF8.encode(s);
}
function text(p: usize, n: u32): string {
  return String.UTF8.decodeUnsafe(p, n);
}
function enc(s: string): string {
  const b = bytes(s);
  b64Begin(dst);
  b64PushBytes(changetype<usize>(b), b.byteLength);
  return text(dst, b64End());
}

describe("base64 for SASL (RFC 4648)", () => {
  it("encodes the RFC 4648 §10 test vectors", () => {
    expect(enc("")).toBe("");
    expect(enc("f")).toBe("Zg==");
    expect(enc("fo")).toBe("Zm8=");
    expect(enc("foo")).toBe("Zm9v");
    expect(enc("foob")).toBe("Zm9vYg==");
    expect(enc("fooba")).toBe("Zm9vYmE=");
    expect(enc("foobar")).toBe("Zm9vYmFy");
    expect(b64EncodedLen(4)).toBe(8);
  });
  it("decodes, and refuses text that is not base64", () => {
    const b = bytes("Zm9vYmE=");
    const n = b64Decode(changetype<usize>(b), b.byteLength, dst, 64);
    expect(text(dst, <u32>n)).toBe("fooba");
    const bad = bytes("Zm9v!mE=");
    expect(b64Decode(changetype<usize>(bad), bad.byteLength, dst, 64)).toBe(-1);
    const afterPad = bytes("Zg==Zg==");
    expect(b64Decode(changetype<usize>(afterPad), afterPad.byteLength, dst, 64)).toBe(-1);
  });
  it("never writes past the destination", () => {
    const b = bytes("Zm9vYmFy");
    store<u8>(dst + 3, 0x55);
    expect(b64Decode(changetype<usize>(b), b.byteLength, dst, 3)).toBe(3);
    expect(load<u8>(dst + 3)).toBe(0x55);
  });
});

describe("SASL mechanisms", () => {
  it("PLAIN matches the RFC 4616 §4 example", () => {
    const u = bytes("tim");
    const p = bytes("tanstaaftanstaaf");
    const n = writePlain(dst, changetype<usize>(u), 3, changetype<usize>(p), 16);
    expect(n).toBe(plainLen(3, 16));
    expect(text(dst, n)).toBe("AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
  });
  it("XOAUTH2 matches the documented initial client response", () => {
    const u = bytes("someuser@example.com");
    const t = bytes("ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg");
    const n = writeXoauth2(dst, changetype<usize>(u), u.byteLength, changetype<usize>(t), t.byteLength);
    expect(n).toBe(xoauth2Len(u.byteLength, t.byteLength));
    expect(text(dst, n)).toBe("dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==");
  });
  it("LOGIN items are plain base64 of each value", () => {
    const u = bytes("tim");
    expect(text(dst, writeLoginItem(dst, changetype<usize>(u), 3))).toBe("dGlt");
  });
  it("decodes the XOAUTH2 error challenge to its JSON", () => {
    const c = bytes("eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIG1hYyIsInNjb3BlIjoiaHR0cHM6Ly9tYWlsLmdvb2dsZS5jb20vIn0K");
    const n = b64Decode(changetype<usize>(c), c.byteLength, dst, 1024);
    expect(text(dst, <u32>n)).toBe("{\"status\":\"401\",\"schemes\":\"bearer mac\",\"scope\":\"https://mail.google.com/\"}\n");
  });
});
