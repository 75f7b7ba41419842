import { configureBuffers, outBase, outUsed, outDrop } from "../../../assembly/core/buffers";
import { inBase } from "../../../assembly/core/buffers";
import {
  mimeConfigure, mimeBegin, mimeHeader, mimeAddress, mimeBodyBegin, mimeText, mimePartBegin,
  mimeData, mimePartEnd, mimeEnd, mimeFlush, mimePending, mimeSetOption, mimeSize, mimePartSize,
} from "../../../assembly/mime/abi";
import {
  MimeOk, MimeDrain, MimeErrInjection, MimeErrState, MimeFieldSubject, MimeFieldDate, MimeFieldFrom,
  MimeTypePdf, MimeOptCount,
} from "../../../assembly/mime/consts";

function put(s: string): u32 {
  for (let i = 0; i < s.length; i++) store<u8>(inBase + i, <u8>s.charCodeAt(i));
  return <u32>s.length;
}
// everything the writer produced, collected in static memory (no per-step allocation)
const ACC = memory.data(16384);
let accLen: u32 = 0;
function take(): void {
  memory.copy(ACC + accLen, outBase, outUsed);
  accLen += outUsed;
  outDrop(outUsed);
}
function accText(): string {
  return String.UTF8.decodeUnsafe(ACC, accLen);
}
function headers(): void {
  expect(mimeBegin(put("abcdefghijklmnop1234"))).toBe(MimeOk);
  expect(mimeHeader(MimeFieldDate, put("Mon, 23 Nov 2026 11:00:00 +0000"))).toBe(MimeOk);
  expect(mimeAddress(MimeFieldFrom, 0, put("a@b.example"))).toBe(MimeOk);
}

describe("message writer", () => {
  it("configures once", () => {
    expect(configureBuffers(4096, 1024, 512, 512)).toBe(0);
    expect(mimeConfigure(4096)).toBe(MimeOk);
    expect(mimeConfigure(4096)).toBe(MimeErrState);
  });
  it("refuses an injected subject with nothing written, and stays failed", () => {
    headers();
    outDrop(outUsed);
    expect(mimeHeader(MimeFieldSubject, put("hi\r\nBcc: x@y"))).toBe(MimeErrInjection);
    expect(outUsed).toBe(0);
    expect(mimePending()).toBe(0);
    expect(mimeBodyBegin()).toBe(MimeErrState);
  });
  it("writes a message through a 1 KiB output buffer, resuming after back-pressure", () => {
    headers();
    accLen = 0;
    take();
    expect(mimeBodyBegin()).toBe(MimeOk);
    const t = put("line one\nline two\r\n");
    expect(mimeText(0, t)).toBe(t);
    expect(mimePartBegin(MimeTypePdf, put("scan.pdf"))).toBe(MimeOk);
    take();
    // 3000 zero bytes: 4000+ base64 chars cannot fit 1 KiB out + 4 KiB staging in one go
    for (let i = 0; i < 3000; i++) store<u8>(inBase + i, 0);
    let off: u32 = 0;
    let rounds = 0;
    while (off < 3000 && rounds < 100) {
      const n = mimeData(off, 3000 - off);
      expect(n).toBeGreaterThanOrEqual(0);
      off += <u32>n;
      take();
      rounds++;
    }
    expect(off).toBe(3000);
    expect(mimePartEnd()).toBe(MimeOk);
    let r = mimeEnd();
    while (r == MimeDrain) { take(); r = mimeEnd(); }
    expect(r).toBe(MimeOk);
    while (true) {
      take();
      if (mimeFlush() == 0 && outUsed == 0) break;
    }
    const all = accText();
    expect(all.startsWith("Date: Mon, 23 Nov 2026 11:00:00 +0000\r\nFrom: a@b.example\r\nMIME-Version: 1.0\r\n")).toBe(true);
    expect(all.includes("line one\r\nline two\r\n")).toBe(true);
    expect(all.includes("Content-Transfer-Encoding: base64\r\n\r\nAAAA")).toBe(true);
    expect(all.endsWith("\r\n--=_mfp_abcdefghijklmnop1234--\r\n")).toBe(true);
    // the dry run gives the same size
    mimeSetOption(MimeOptCount, 1);
    headers();
    mimeBodyBegin();
    mimeText(0, put("line one\nline two\r\n"));
    mimePartBegin(MimeTypePdf, put("scan.pdf"));
    mimePartSize(3000);
    mimePartEnd();
    mimeEnd();
    expect(mimeSize()).toBe(<f64>all.length);
    mimeSetOption(MimeOptCount, 0);
  });
});
