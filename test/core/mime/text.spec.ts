import { configureBuffers, outBase, outUsed, outDrop, inBase } from "../../../assembly/core/buffers";
import { mimeMark, mimeHeader, mimeWrite } from "../../../assembly/mime/abi";
import { setInt } from "../../../assembly/smtp/abi";
import {
  StatusDone, MimeFieldSubject, MimeFieldDate, MimeFieldFrom, FieldMime8bit, FieldMimeStage, MimeMarkBegin,
  MimeMarkBody, MimeMarkEnd,
} from "../../../assembly/mime/consts";

function put(s: string): u32 {
  const n = String.UTF8.byteLength(s);
  String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, inBase);
  return <u32>n;
}
function out(): string {
  const s = String.UTF8.decodeUnsafe(outBase, outUsed);
  outDrop(outUsed);
  return s;
}
/** The text part body of a message whose text is `t`. */
function body(t: string, eight: bool): string {
  setInt(FieldMime8bit, eight ? 1 : 0);
  mimeMark(MimeMarkBegin, put("0123456789abcdefXYZ"));
  mimeHeader(MimeFieldDate, put("Mon, 23 Nov 2026 11:00:00 +0000"), 0);
  mimeHeader(MimeFieldFrom, 0, put("a@b.example"));
  mimeMark(MimeMarkBody, 0);
  out();
  const n = put(t);
  expect(mimeWrite(0, n)).toBe(n);
  expect(mimeMark(MimeMarkEnd, 0)).toBe(StatusDone);
  const s = out();
  return s.substring(0, s.indexOf("\r\n--=_mfp_"));
}
function headerOut(subject: string): string {
  setInt(FieldMime8bit, 0);
  mimeMark(MimeMarkBegin, put("0123456789abcdefXYZ"));
  out();
  expect(mimeHeader(MimeFieldSubject, put(subject), 0)).toBe(StatusDone);
  return out();
}

describe("text body", () => {
  it("configures", () => {
    expect(configureBuffers(4096, 8192, 512, 512)).toBe(0);
    expect(setInt(FieldMimeStage, 4096)).toBe(StatusDone);
  });
  it("normalises CRLF, bare CR and bare LF to one CRLF each", () => {
    expect(body("a\r\nb\rc\nd", true)).toBe("a\r\nb\r\nc\r\nd");
    expect(body("a\r\n\r\nb\n\nc", false)).toBe("a\r\n\r\nb\r\n\r\nc");
  });
  it("quoted-printable: '=' and non-ASCII encoded, trailing whitespace encoded, literal space mid-line", () => {
    expect(body("x = 1 \nü\t", false)).toBe("x =3D 1=20\r\n=C3=BC=09");
  });
  it("quoted-printable: soft line break keeps lines ≤ 76", () => {
    let t = "";
    for (let i = 0; i < 100; i++) t += "z";
    const b = body(t, false);
    expect(b.substring(0, 76)).toBe(t.substring(0, 75) + "=");
    expect(b.substring(76, 78)).toBe("\r\n");
    expect(b.length).toBe(100 + 3);
  });
  it("8bit passes UTF-8 through", () => {
    expect(body("Grüße\n", true)).toBe("Grüße\r\n");
  });
});

describe("subject encoding", () => {
  it("plain ASCII stays as is", () => {
    expect(headerOut("Scan 12")).toBe("Subject: Scan 12\r\n");
  });
  it("non-ASCII becomes RFC 2047 B words", () => {
    expect(headerOut("Grüße")).toBe("Subject: =?UTF-8?B?R3LDvMOfZQ==?=\r\n");
  });
  it("text that looks like an encoded word is encoded, not passed through", () => {
    expect(headerOut("=?UTF-8?B?SGk=?=").startsWith("Subject: =?UTF-8?B?PT9VVEYt")).toBe(true);
  });
});

import { mimePart } from "../../../assembly/mime/abi";
import { MimeTypePdf } from "../../../assembly/mime/consts";

/** The attachment part head for file name `name`. */
function partHead(name: string): string {
  setInt(FieldMime8bit, 0);
  mimeMark(MimeMarkBegin, put("0123456789abcdefXYZ"));
  mimeHeader(MimeFieldDate, put("Mon, 23 Nov 2026 11:00:00 +0000"), 0);
  mimeHeader(MimeFieldFrom, 0, put("a@b.example"));
  mimeMark(MimeMarkBody, 0);
  out();
  expect(mimePart(MimeTypePdf, put(name))).toBe(StatusDone);
  return out();
}

describe("file names (RFC 2231)", () => {
  it("plain ASCII: quoted filename only", () => {
    const h = partHead("scan 1.pdf");
    expect(h.includes("Content-Disposition: attachment;\r\n filename=\"scan 1.pdf\"\r\n")).toBe(true);
    expect(h.includes("filename*")).toBe(false);
  });
  it("non-ASCII: '_' fallback plus filename*=UTF-8''", () => {
    const h = partHead("Ü€.pdf");
    expect(h.includes(" filename=\"__.pdf\";\r\n filename*=UTF-8''%C3%9C%E2%82%AC.pdf\r\n")).toBe(true);
  });
  it("long names use numbered continuations, each line ≤ 78", () => {
    let name = "";
    for (let i = 0; i < 30; i++) name += "Ü";
    const h = partHead(name);
    expect(h.includes(" filename*0*=UTF-8''%C3%9C")).toBe(true);
    expect(h.includes(" filename*1*=%C3%9C")).toBe(true);
    const lines = h.split("\r\n");
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i].startsWith(" filename=") && !lines[i].startsWith(" name=")) expect(lines[i].length).toBeLessThanOrEqual(78);
    }
  });
});
