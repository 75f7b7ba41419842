// The message writer: a small state machine the host drives in steps
//   begin → header/address… → bodyBegin → text… → (partBegin → data… → partEnd)… → end
// Every step first reserves room for its worst-case output in the staging buffer; if the sink
// will not take enough, the step does nothing and returns StatusBusy (data steps return how many
// input bytes they took instead). So a refused step is repeated as is, and a data chunk resumes
// at the byte where it stopped.
import {
  StatusDone, StatusBusy, ReasonBadState, ReasonTooLong, ReasonBadBoundary, ReasonBoundaryCollision,
  ReasonBadArgument, ReasonMissingHeader,
  MimeFieldFrom, MimeFieldTo, MimeFieldCc, MimeFieldReplyTo, MimeFieldSubject, MimeFieldDate,
  MimeFieldMessageId, MimeTypeOctet, MimeTypePdf, MimeTypeTiff, MimeTypeJpeg, MimeTypePng, MimeTypeText,
  MaxSubject, MaxName, MaxFilename, MaxToken, FieldMimeBinary, FieldMime8bit, FieldMimeScalar, FieldMimeCount,
} from "./consts";
import {
  stageNeed, stageFlush, stageReset, stagePending, stageCount,
  put, putCRLF, putStr, putMem, counting, stCap,
} from "./stage";
import { checkInjection, checkUtf8, isPrintable, contains2, checkAddress } from "./check";
import { hcol, setCol, fold, encodeWords, wordsBound, putQuoted, quotedBound, putExtValue, extBound, needsExt } from "./words";
import { textReset, textWrite, textFinish } from "./text";
import { delimSet, delimStartOfPart, delimScan, collided } from "./delim";
import { base64Size } from "./base64";
import { b64Reset, b64Data, b64Finish, b64Fresh } from "./b64stream";
import { bodySink } from "../core/sink";

const Idle = 0, Headers = 1, Text = 2, Parts = 3, Done = 5, Failed = 6;
/** The phase in which mimeWrite() takes attachment bytes (text before it). */
export const Data = 4;
export let phase = Idle;
let openField: i32 = 0;
let haveFrom = false;
let haveDate = false;

let optBinary = false;
let opt8bit = false;
let optScalar = false;
let optCount = false;

/** A FieldMime* switch (mime/abi.ts checked the field). */
export function setOption(field: i32, on: bool): void {
  if (field == FieldMimeBinary) optBinary = on;
  else if (field == FieldMime8bit) opt8bit = on;
  else if (field == FieldMimeScalar) optScalar = on;
  else if (field == FieldMimeCount) optCount = on;
}

// "=_mfp_" + host random: "=_" cannot occur in base64 or quoted-printable output (RFC 2045
// §6.7 puts two hex digits after every "="), so only raw content needs the collision scan.
const BOUNDARY = memory.data(64);
let bLen: u32 = 0;

let partBinary = false;

let failedWith: i32 = 0;

function fail(reason: i32): i32 {
  phase = Failed;
  failedWith = reason;
  return reason;
}

export function writerBegin(rand: usize, n: u32): i32 {
  // the previous message's last bytes must reach the sink first (an aborted one is dropped)
  if (phase == Done && stagePending() > 0 && stageFlush() > 0) return StatusBusy;
  if (n < 16 || n > 48) return ReasonBadBoundary;
  for (let i: u32 = 0; i < n; i++) {
    const c = load<u8>(rand + i);
    const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A);
    if (!ok) return ReasonBadBoundary;
  }
  const pre = "=_mfp_";
  for (let i = 0; i < pre.length; i++) store<u8>(BOUNDARY + i, <u8>pre.charCodeAt(i));
  memory.copy(BOUNDARY + 6, rand, n);
  bLen = n + 6;
  delimSet(BOUNDARY, bLen);
  stageReset(optCount);
  phase = Headers;
  openField = 0;
  haveFrom = false;
  haveDate = false;
  b64Reset();
  return StatusDone;
}

function closeOpen(): void {
  if (openField != 0) {
    putCRLF();
    openField = 0;
  }
}

/** Reserve `bound` bytes (capped at the buffer size, which MinStage makes large enough). */
function reserve(bound: u32): bool {
  return stageNeed(bound < stCap ? bound : stCap);
}

function done(): i32 {
  stageFlush();
  return StatusDone;
}

/** Subject, Date, Message-ID. */
export function writerHeader(field: i32, p: usize, n: u32): i32 {
  if (phase != Headers) return fail(ReasonBadState);
  const inj = checkInjection(p, n);
  if (inj != StatusDone) return fail(inj);
  if (field == MimeFieldSubject) {
    if (n > MaxSubject) return fail(ReasonTooLong);
    if (checkUtf8(p, n) != StatusDone) return fail(checkUtf8(p, n));
    if (!reserve(16 + wordsBound(n))) return StatusBusy;
    closeOpen();
    putStr("Subject: ");
    setCol(9);
    // plain ASCII folds at spaces; a run too long to fold within 998 octets (RFC 5322 §2.1.1)
    // or text that looks like an encoded word goes out as encoded-words instead
    if (isPrintable(p, n, true) && !contains2(p, n, 0x3D, 0x3F) && longestRun(p, n) <= 900) foldAscii(p, n);
    else encodeWords(p, n);
    putCRLF();
    return done();
  }
  if (field == MimeFieldDate || field == MimeFieldMessageId) {
    if (n > MaxToken) return fail(ReasonTooLong);
    const isDate = field == MimeFieldDate;
    if (n == 0 || !isPrintable(p, n, isDate)) return fail(ReasonBadArgument);
    // RFC 5322 §3.6.4 msg-id = "<" id-left "@" id-right ">"
    if (!isDate && (load<u8>(p) != 0x3C || load<u8>(p + n - 1) != 0x3E || !hasAt(p, n))) return fail(ReasonBadArgument);
    if (!reserve(32 + n)) return StatusBusy;
    closeOpen();
    putStr(isDate ? "Date: " : "Message-ID: ");
    putMem(p, n);
    putCRLF();
    if (isDate) haveDate = true;
    return done();
  }
  return fail(ReasonBadArgument);
}

/** Longest run without a space. */
function longestRun(p: usize, n: u32): u32 {
  let max: u32 = 0;
  let run: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    if (load<u8>(p + i) == 0x20) run = 0;
    else if (++run > max) max = run;
  }
  return max;
}

function hasAt(p: usize, n: u32): bool {
  for (let i: u32 = 0; i < n; i++) if (load<u8>(p + i) == 0x40) return true;
  return false;
}

/** Plain ASCII text folded before a space when the line would pass 78 (RFC 5322 §2.2.3). */
function foldAscii(p: usize, n: u32): void {
  let i: u32 = 0;
  while (i < n) {
    // a segment is a space (if any) plus the following non-space run
    let j = i + 1;
    while (j < n && load<u8>(p + j) != 0x20) j++;
    const len = j - i;
    if (load<u8>(p + i) == 0x20 && len > 1 && hcol + len > 78 && hcol > 12) {
      putCRLF();
      setCol(0);
    }
    putMem(p + i, len);
    setCol(hcol + len);
    i = j;
  }
}

/** From, To, Cc, Reply-To: one mailbox per call; repeated calls extend the same field. */
export function writerAddress(field: i32, np: usize, nn: u32, ap: usize, an: u32): i32 {
  if (phase != Headers) return fail(ReasonBadState);
  if (field != MimeFieldFrom && field != MimeFieldTo && field != MimeFieldCc && field != MimeFieldReplyTo) return fail(ReasonBadArgument);
  const inj = checkInjection(np, nn);
  if (inj != StatusDone) return fail(inj);
  const ac = checkAddress(ap, an);
  if (ac != StatusDone) return fail(ac);
  if (nn > MaxName) return fail(ReasonTooLong);
  const u = checkUtf8(np, nn);
  if (u != StatusDone) return fail(u);
  if (!reserve(32 + wordsBound(nn) + quotedBound(nn) + an)) return StatusBusy;
  if (openField == field) {
    put(0x2C);
    fold();
  } else {
    closeOpen();
    const name = field == MimeFieldFrom ? "From: " : field == MimeFieldTo ? "To: " : field == MimeFieldCc ? "Cc: " : "Reply-To: ";
    putStr(name);
    setCol(<u32>name.length);
    openField = field;
  }
  if (nn > 0) {
    // RFC 2047 §5(3): encoded-words may stand for a phrase; ASCII names go in a quoted-string
    if (isPrintable(np, nn, true) && !contains2(np, nn, 0x3D, 0x3F)) putQuoted(np, nn, false);
    else encodeWords(np, nn);
    if (hcol + an + 3 > 78) fold(); else { put(0x20); setCol(hcol + 1); }
    put(0x3C);
    putMem(ap, an);
    put(0x3E);
    setCol(hcol + an + 2);
  } else {
    putMem(ap, an);
    setCol(hcol + an);
  }
  if (field == MimeFieldFrom) haveFrom = true;
  return done();
}

function putBoundary(): void {
  putMem(BOUNDARY, bLen);
}

/** End of the header section, multipart/mixed (RFC 2046 §5.1.3), then the text part's head. */
export function writerBodyBegin(): i32 {
  if (phase != Headers) return fail(ReasonBadState);
  if (!haveFrom || !haveDate) return fail(ReasonMissingHeader); // RFC 5322 §3.6: Date and From are required
  if (!reserve(256 + 2 * bLen)) return StatusBusy;
  closeOpen();
  putStr("MIME-Version: 1.0\r\nContent-Type: multipart/mixed;\r\n boundary=\"");
  putBoundary();
  putStr("\"\r\n\r\n--");
  putBoundary();
  putStr("\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: ");
  putStr(opt8bit ? "8bit" : "quoted-printable");
  putStr("\r\n\r\n");
  textReset(opt8bit);
  delimStartOfPart();
  phase = Text;
  return done();
}

export function writerText(p: usize, n: u32): i32 {
  if (phase != Text) return fail(ReasonBadState);
  const took = textWrite(p, n);
  stageFlush();
  if (collided) return fail(ReasonBoundaryCollision);
  return <i32>took;
}

function contentType(t: i32): string {
  if (t == MimeTypePdf) return "application/pdf";
  if (t == MimeTypeTiff) return "image/tiff";
  if (t == MimeTypeJpeg) return "image/jpeg";
  if (t == MimeTypePng) return "image/png";
  if (t == MimeTypeText) return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

export function writerPartBegin(type: i32, np: usize, nn: u32): i32 {
  if (phase != Text && phase != Parts) return fail(ReasonBadState);
  if (type < MimeTypeOctet || type > MimeTypeText) return fail(ReasonBadArgument);
  const inj = checkInjection(np, nn);
  if (inj != StatusDone) return fail(inj);
  if (nn == 0) return fail(ReasonBadArgument);
  if (nn > MaxFilename) return fail(ReasonTooLong);
  const u = checkUtf8(np, nn);
  if (u != StatusDone) return fail(u);
  if (!reserve(256 + bLen + 2 * quotedBound(nn) + extBound(nn))) return StatusBusy;
  if (phase == Text) textFinish();
  putStr("\r\n--");
  putBoundary();
  putStr("\r\nContent-Type: ");
  putStr(contentType(type));
  putStr(";");
  fold();
  putStr("name=");
  putQuoted(np, nn, true);
  putStr("\r\nContent-Disposition: attachment;");
  fold();
  putStr("filename=");
  // RFC 6266 §4.3: the plain ASCII filename first, then filename* for readers that know it
  putQuoted(np, nn, true);
  if (needsExt(np, nn)) putExtValue("filename", np, nn);
  putStr("\r\nContent-Transfer-Encoding: ");
  putStr(optBinary ? "binary" : "base64");
  putStr("\r\n\r\n");
  partBinary = optBinary;
  b64Reset();
  delimStartOfPart();
  phase = Data;
  return done();
}

function binaryData(p: usize, n: u32): u32 {
  // staged headers go first; the chunk itself is handed over in place, never copied
  if (stagePending() > 0 && stageFlush() > 0) return 0;
  let took = n;
  if (counting) stageCount(<f64>n);
  else took = bodySink(p, n);
  delimScan(p, took);
  return took;
}

export function writerData(p: usize, n: u32): i32 {
  if (phase != Data) return fail(ReasonBadState);
  if (partBinary) {
    const took = binaryData(p, n);
    if (collided) return fail(ReasonBoundaryCollision);
    return <i32>took;
  }
  const took = b64Data(p, n, !optScalar);
  stageFlush();
  return <i32>took;
}

/** Dry run only: account for an n-byte attachment body without feeding it. */
export function writerPartSize(n: f64): i32 {
  if (phase != Data || !counting || !b64Fresh()) return fail(ReasonBadState);
  if (partBinary) stageCount(n);
  else stageCount(base64Size(n));
  b64Reset();
  return StatusDone;
}


export function writerPartEnd(): i32 {
  if (phase != Data) return fail(ReasonBadState);
  if (!partBinary && !b64Finish()) return StatusBusy;
  phase = Parts;
  return done();
}

/** Close delimiter (RFC 2046 §5.1.1); afterwards mimeFlush() until nothing is pending. */
export function writerEnd(): i32 {
  if (phase != Text && phase != Parts) return fail(ReasonBadState);
  if (!reserve(32 + bLen)) return StatusBusy;
  if (phase == Text) textFinish();
  putStr("\r\n--");
  putBoundary();
  putStr("--\r\n");
  phase = Done;
  return done();
}

/** The reason the writer failed with, 0 while it has not (a take call reports a refusal here). */
export function writerReason(): i32 { return phase == Failed ? failedWith : 0; }
