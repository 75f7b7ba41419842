// Reply parser (RFC 5321 §4.2): one byte at a time, so any split of the input works.
//   Reply-line = *( Reply-code "-" [ textstring ] CRLF ) Reply-code [ SP textstring ] CRLF
// Liberal where it is harmless: a bare LF ends a line too (many test servers and proxies send
// them). Strict where it matters: three digits, the same code on every line, a cap on the line,
// and caps on the lines and bytes of one reply (the board's, so an endless "250-" stream or a
// reply that never ends cannot hold the device: RFC 5321 §4.5.3.2 bounds every reply in time,
// these bound it in size).
// Enhanced status codes (RFC 3463 §2: class "." subject "." detail) are picked out of the text.
import { replyLineMax } from "../core/buffers";
import { lineBase } from "./store";
import { ReasonBadReply, ReasonLineTooLong, ReasonReplyTooLong } from "./events";

export const DefaultReplyMaxLines: u32 = 1000;
export const DefaultReplyMaxBytes: u32 = 65536;
/** Caps per reply (FieldReplyMaxLines / FieldReplyMaxBytes). */
export let replyMaxLines: u32 = DefaultReplyMaxLines;
export let replyMaxBytes: u32 = DefaultReplyMaxBytes;
export function setReplyCaps(lines: u32, bytes: u32): void {
  replyMaxLines = lines;
  replyMaxBytes = bytes;
}

export const PushMore: i32 = 0;   // inside a line
export const PushLine: i32 = 1;   // a "250-…" line is complete; more lines follow
export const PushReply: i32 = 2;  // the final line is complete: the reply is whole
export const PushError: i32 = 3;  // not SMTP: see replyError

export let lineLen: u32 = 0;
export let replyCode: i32 = 0;        // of the reply being assembled (first line)
export let replyLines: u32 = 0;       // lines completed so far in this reply
export let replyError: i32 = 0;       // ReasonBadReply / ReasonLineTooLong / ReasonReplyTooLong
/** Bytes of the reply being assembled, line ends included. */
export let replyBytes: u32 = 0;
let replyDone = false;
/** Text of the line just completed (after the code and any enhanced code). */
export let textOff: u32 = 0;
export let textLen: u32 = 0;
/** Enhanced status code of the reply ("5.7.139"), from the last line that carried one. */
export const enhBuf: usize = memory.data(12);
export let enhLen: u32 = 0;

export function replyReset(): void {
  lineLen = 0;
  replyCode = 0;
  replyLines = 0;
  replyBytes = 0;
  replyError = 0;
  replyDone = false;
  enhLen = 0;
  textOff = 0;
  textLen = 0;
}

// @ts-ignore: decorator
@inline function isDigit(c: u32): bool {
  return c - 0x30 < 10;
}

/** Feed one byte. After PushReply the caller reads the reply, then the next push starts a new one. */
export function replyPush(b: u8): i32 {
  if (replyDone) {
    replyDone = false;
    replyLines = 0;
    replyBytes = 0;
    replyCode = 0;
    enhLen = 0;
  }
  if (++replyBytes > replyMaxBytes) {
    replyError = ReasonReplyTooLong;
    return PushError;
  }
  if (b != 0x0a) {
    if (lineLen >= replyLineMax) {
      replyError = ReasonLineTooLong; // RFC 5321 §4.5.3.1.5 (512), or the board's larger limit
      return PushError;
    }
    store<u8>(lineBase + lineLen, b);
    lineLen++;
    return PushMore;
  }
  let n = lineLen;
  if (n > 0 && load<u8>(lineBase + n - 1) == 0x0d) n--;
  lineLen = 0;
  return lineDone(n);
}

function lineDone(n: u32): i32 {
  if (n < 3) return bad();
  const d0 = <u32>load<u8>(lineBase);
  const d1 = <u32>load<u8>(lineBase + 1);
  const d2 = <u32>load<u8>(lineBase + 2);
  // first digit 2..5, second 0..5, third 0..9 (RFC 5321 §4.2.1); 1yz is never sent to clients
  if (d0 < 0x32 || d0 > 0x35 || d1 < 0x30 || d1 > 0x35 || !isDigit(d2)) return bad();
  const code = <i32>((d0 - 0x30) * 100 + (d1 - 0x30) * 10 + (d2 - 0x30));
  let last = true;
  if (n > 3) {
    const sep = load<u8>(lineBase + 3);
    if (sep == 0x2d) last = false;
    else if (sep != 0x20) return bad();
  }
  if (replyLines == 0) replyCode = code;
  else if (code != replyCode) return bad(); // every line of one reply carries the same code
  if (replyLines >= replyMaxLines) {
    replyError = ReasonReplyTooLong;
    return PushError;
  }
  textOff = n > 4 ? 4 : n;
  textLen = n - textOff;
  scanEnhanced(d0);
  replyLines++;
  if (!last) return PushLine;
  replyDone = true;
  return PushReply;
}

function bad(): i32 {
  replyError = ReasonBadReply;
  return PushError;
}

/** "c.s.d" with c = the reply's class digit, s and d of 1–3 digits, then space or end. */
function scanEnhanced(classDigit: u32): void {
  const p = lineBase + textOff;
  if (textLen < 5 || <u32>load<u8>(p) != classDigit || load<u8>(p + 1) != 0x2e) return;
  let i: u32 = 2;
  let digits: u32 = 0;
  while (i < textLen && isDigit(<u32>load<u8>(p + i)) && digits < 4) { i++; digits++; }
  if (digits == 0 || digits > 3 || i >= textLen || load<u8>(p + i) != 0x2e) return;
  i++;
  digits = 0;
  while (i < textLen && isDigit(<u32>load<u8>(p + i)) && digits < 4) { i++; digits++; }
  if (digits == 0 || digits > 3) return;
  if (i < textLen && load<u8>(p + i) != 0x20) return;
  memory.copy(enhBuf, p, i);
  enhLen = i;
  if (i < textLen) i++; // the space after the code
  textOff += i;
  textLen -= i;
}

// @ts-ignore: decorator
@inline export function textPtr(): usize {
  return lineBase + textOff;
}
