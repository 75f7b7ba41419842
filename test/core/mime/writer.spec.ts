import { configureBuffers, outBase, outUsed, outDrop } from "../../../assembly/core/buffers";
import { inBase } from "../../../assembly/core/buffers";
import { mimeMark, mimeHeader, mimePart, mimeWrite, mimeFlush, mimeSize } from "../../../assembly/mime/abi";
import { setInt } from "../../../assembly/smtp/abi";
import { stagePending } from "../../../assembly/mime/stage";
import {
  StatusDone, StatusBusy, ReasonHeaderInjection, ReasonBadState, MimeFieldSubject, MimeFieldDate, MimeFieldFrom,
  MimeTypePdf, FieldMimeCount, FieldMimeStage, MimeMarkBegin, MimeMarkBody, MimeMarkPartEnd, MimeMarkEnd,
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
  expect(mimeMark(MimeMarkBegin, put("abcdefghijklmnop1234"))).toBe(StatusDone);
  expect(mimeHeader(MimeFieldDate, put("Mon, 23 Nov 2026 11:00:00 +0000"), 0)).toBe(StatusDone);
  expect(mimeHeader(MimeFieldFrom, 0, put("a@b.example"))).toBe(StatusDone);
}

describe("message writer", () => {
  it("configures once", () => {
    expect(configureBuffers(4096, 1024, 512, 512)).toBe(0);
    expect(setInt(FieldMimeStage, 4096)).toBe(StatusDone);
    expect(setInt(FieldMimeStage, 4096)).toBe(ReasonBadState);
  });
  it("refuses an injected subject with nothing written, and stays failed", () => {
    headers();
    outDrop(outUsed);
    expect(mimeHeader(MimeFieldSubject, put("hi\r\nBcc: x@y"), 0)).toBe(ReasonHeaderInjection);
    expect(outUsed).toBe(0);
    expect(stagePending()).toBe(0);
    expect(mimeMark(MimeMarkBody, 0)).toBe(ReasonBadState);
  });
  it("writes a message through a 1 KiB output buffer, resuming after back-pressure", () => {
    headers();
    accLen = 0;
    take();
    expect(mimeMark(MimeMarkBody, 0)).toBe(StatusDone);
    const t = put("line one\nline two\r\n");
    expect(mimeWrite(0, t)).toBe(t);
    expect(mimePart(MimeTypePdf, put("scan.pdf"))).toBe(StatusDone);
    take();
    // 3000 zero bytes: 4000+ base64 chars cannot fit 1 KiB out + 4 KiB staging in one go
    for (let i = 0; i < 3000; i++) store<u8>(inBase + i, 0);
    let off: u32 = 0;
    let rounds = 0;
    while (off < 3000 && rounds < 100) {
      const n = mimeWrite(off, 3000 - off);
      off += n;
      take();
      rounds++;
    }
    expect(off).toBe(3000);
    expect(mimeMark(MimeMarkPartEnd, 0)).toBe(StatusDone);
    let r = mimeMark(MimeMarkEnd, 0);
    while (r == StatusBusy) { take(); r = mimeMark(MimeMarkEnd, 0); }
    expect(r).toBe(StatusDone);
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
    setInt(FieldMimeCount, 1);
    headers();
    mimeMark(MimeMarkBody, 0);
    mimeWrite(0, put("line one\nline two\r\n"));
    mimePart(MimeTypePdf, put("scan.pdf"));
    mimeWrite(0, 3000);
    mimeMark(MimeMarkPartEnd, 0);
    mimeMark(MimeMarkEnd, 0);
    expect(mimeSize()).toBe(<f64>all.length);
    setInt(FieldMimeCount, 0);
  });
});
