// MIME writer exports (issue 3). Values are UTF-8 bytes the host copied to inPtr() first; data
// steps take an offset into the in buffer so a partly taken chunk resumes without a copy.
//
//   mimeConfigure(stageCap)          carve the staging buffer once (≥ 4096 bytes); 0 ok
//   mimeSetOption(opt, value)        MimeOpt* (binary parts, 8bit text, scalar base64, dry run)
//   mimeBegin(randLen)               new message; boundary random (16–48 × [A-Za-z0-9]) at inPtr
//   mimeHeader(field, len)           Subject / Date / Message-ID value at inPtr
//   mimeAddress(field, nameLen, addrLen)  display name then addr-spec at inPtr; From/To/Cc/Reply-To
//   mimeBodyBegin()                  end of headers; text/plain part starts
//   mimeText(off, len): i32          text bytes at inPtr+off; returns bytes taken (or < 0 error)
//   mimePartBegin(type, nameLen)     attachment; file name at inPtr; MimeType*
//   mimeData(off, len): i32          attachment bytes at inPtr+off; returns bytes taken
//   mimePartSize(n)                  dry run: count an n-byte attachment without its bytes
//   mimePartEnd() / mimeEnd()
//   mimeFlush(): u32                 push staged bytes to the sink; returns bytes still staged
//   mimeSize(): f64                  dry run: exact message size so far (RFC 1870 SIZE)
//   mimeEncodedSize(n, binary): f64  encoded size of an n-byte attachment body
//   mimeMaxPartBytes(max, overhead, binary): f64   largest attachment that fits
//   mimeSplitPages(pageCount, cap): i32  page ends (u32) at inPtr → message ends after them
// Step results: MimeOk 0, MimeDrain 1 (drain output, mimeFlush, repeat), < 0 MimeErr* (consts.ts).
import { inBase, inSize } from "../core/buffers";
import { stCap, stageCarve, stageFlush, stagePending, counted } from "./stage";
import {
  MimeOk, MimeErrState, MimeErrBadArg, MimeErrNotConfigured, MinStage,
  MimeOptBinary, MimeOpt8bit, MimeOptScalar, MimeOptCount,
} from "./consts";
import * as W from "./writer";
import { encodedSize, maxPartBytes, splitPages } from "./split";

export {
  MimeOk, MimeDrain, MimeErrState, MimeErrInjection, MimeErrTooLong, MimeErrBadAddress,
  MimeErrBadBoundary, MimeErrCollision, MimeErrNotConfigured, MimeErrBadUtf8, MimeErrBadArg,
  MimeErrNoFit, MimeErrMissing, MimeOptBinary, MimeOpt8bit, MimeOptScalar, MimeOptCount,
  MimeFieldFrom, MimeFieldTo, MimeFieldCc, MimeFieldReplyTo, MimeFieldSubject, MimeFieldDate,
  MimeFieldMessageId, MimeTypeOctet, MimeTypePdf, MimeTypeTiff, MimeTypeJpeg, MimeTypePng, MimeTypeText,
} from "./consts";

function inRange(off: u32, len: u32): bool {
  return <u64>off + <u64>len <= <u64>inSize;
}

export function mimeConfigure(stageCap: u32): i32 {
  if (stCap != 0) return MimeErrState;
  if (inBase == 0) return MimeErrNotConfigured; // configure() first
  if (stageCap < MinStage || stageCap > (1 << 20)) return MimeErrBadArg;
  stageCarve(stageCap);
  return MimeOk;
}

export function mimeSetOption(opt: i32, value: i32): i32 {
  const on = value != 0;
  if (opt == MimeOptBinary) W.optBinary = on;
  else if (opt == MimeOpt8bit) W.opt8bit = on;
  else if (opt == MimeOptScalar) W.optScalar = on;
  else if (opt == MimeOptCount) W.optCount = on;
  else return MimeErrBadArg;
  return MimeOk;
}

export function mimeBegin(randLen: u32): i32 {
  if (stCap == 0) return MimeErrNotConfigured;
  if (!inRange(0, randLen)) return MimeErrBadArg;
  return W.writerBegin(inBase, randLen);
}

export function mimeHeader(field: i32, len: u32): i32 {
  if (!inRange(0, len)) return MimeErrBadArg;
  return W.writerHeader(field, inBase, len);
}

export function mimeAddress(field: i32, nameLen: u32, addrLen: u32): i32 {
  if (!inRange(nameLen, addrLen)) return MimeErrBadArg;
  return W.writerAddress(field, inBase, nameLen, inBase + nameLen, addrLen);
}

export function mimeBodyBegin(): i32 { return W.writerBodyBegin(); }

export function mimeText(off: u32, len: u32): i32 {
  if (!inRange(off, len)) return MimeErrBadArg;
  return W.writerText(inBase + off, len);
}

export function mimePartBegin(type: i32, nameLen: u32): i32 {
  if (!inRange(0, nameLen)) return MimeErrBadArg;
  return W.writerPartBegin(type, inBase, nameLen);
}

export function mimeData(off: u32, len: u32): i32 {
  if (!inRange(off, len)) return MimeErrBadArg;
  return W.writerData(inBase + off, len);
}

export function mimePartSize(n: f64): i32 { return W.writerPartSize(n); }
export function mimePartEnd(): i32 { return W.writerPartEnd(); }
export function mimeEnd(): i32 { return W.writerEnd(); }
export function mimeFlush(): u32 { return stCap == 0 ? 0 : stageFlush(); }
export function mimePending(): u32 { return stagePending(); }
export function mimeSize(): f64 { return counted + <f64>stagePending(); }

export function mimeEncodedSize(n: f64, binary: i32): f64 { return encodedSize(n, binary != 0); }
export function mimeMaxPartBytes(maxSize: f64, overhead: f64, binary: i32): f64 {
  return maxPartBytes(maxSize, overhead, binary != 0);
}
export function mimeSplitPages(pageCount: u32, cap: f64): i32 {
  if (pageCount > inSize / 8) return MimeErrBadArg; // the ends and the cuts both live in the in buffer
  return splitPages(inBase, pageCount, cap, inBase + (<usize>pageCount << 2));
}
