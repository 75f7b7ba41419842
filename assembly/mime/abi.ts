// MIME writer exports (see assembly/index.ts for the whole ABI). Values are UTF-8 bytes the host
// copied to the staging area (info(InfoInPtr)) first; mimeWrite takes an offset into it so that a
// partly taken chunk resumes without a copy. Steps answer StatusDone, StatusBusy or a Reason*.
import { inBase, inSize } from "../core/buffers";
import { stCap, stageCarve, stageFlush, stagePending, counted, counting } from "./stage";
import {
  StatusDone, ReasonBadState, ReasonBadArgument, ReasonNotConfigured, MinStage,
  FieldMimeStage, FieldMimeBinary, FieldMimeCount,
  MimeMarkBegin, MimeMarkBody, MimeMarkPartEnd, MimeMarkEnd, MimeFieldFrom, MimeFieldReplyTo,
} from "./consts";
import * as W from "./writer";
import { encodedSize, maxPartBytes, splitPages } from "./split";

/** Why the last mimeSplitPages() or a take call refused (info(InfoMimeReason)); 0 = it did not. */
let splitReason: i32 = 0;
export function mimeReason(): i32 { return splitReason != 0 ? splitReason : W.writerReason(); }

function inRange(off: u32, len: u32): bool {
  return <u64>off + <u64>len <= <u64>inSize;
}

/** setInt() for the writer's fields (FieldMime*); -1 = not one of them. */
export function mimeSetInt(field: i32, value: i32): i32 {
  if (field == FieldMimeStage) {
    if (stCap != 0) return ReasonBadState;
    if (inBase == 0) return ReasonNotConfigured; // configure() first
    if (value < <i32>MinStage || value > (1 << 20)) return ReasonBadArgument;
    stageCarve(<u32>value);
  } else if (field >= FieldMimeBinary && field <= FieldMimeCount) W.setOption(field, value != 0);
  else return -1;
  return StatusDone;
}

/** A step without a value: MimeMark* (Begin takes the boundary random, len bytes at inPtr). */
export function mimeMark(mark: i32, len: u32): i32 {
  if (stCap == 0) return ReasonNotConfigured;
  splitReason = 0;
  if (mark == MimeMarkBegin) return inRange(0, len) ? W.writerBegin(inBase, len) : ReasonBadArgument;
  if (mark == MimeMarkBody) return W.writerBodyBegin();
  if (mark == MimeMarkPartEnd) return W.writerPartEnd();
  if (mark == MimeMarkEnd) return W.writerEnd();
  return ReasonBadArgument;
}

/** A header field: Subject / Date / Message-ID value (len bytes at inPtr), or for From / To / Cc /
 *  Reply-To a display name (len bytes, may be 0) followed by the addr-spec (addrLen bytes). */
export function mimeHeader(field: i32, len: u32, addrLen: u32): i32 {
  if (!inRange(len, addrLen)) return ReasonBadArgument;
  if (field >= MimeFieldFrom && field <= MimeFieldReplyTo) return W.writerAddress(field, inBase, len, inBase + len, addrLen);
  return W.writerHeader(field, inBase, len);
}

/** An attachment: its MimeType* and its file name (nameLen bytes at inPtr). */
export function mimePart(type: i32, nameLen: u32): i32 {
  if (!inRange(0, nameLen)) return ReasonBadArgument;
  return W.writerPartBegin(type, inBase, nameLen);
}

/** Text or attachment bytes at inPtr+off; returns how many it took (0 with mimeReason() > 0 =
 *  refused). In a dry run an attachment's bytes are not read: len of them are counted. */
export function mimeWrite(off: u32, len: u32): u32 {
  if (counting && W.phase == W.Data) return W.writerPartSize(<f64>len) == StatusDone ? len : 0;
  if (!inRange(off, len)) return 0;
  const n = W.phase == W.Data ? W.writerData(inBase + off, len) : W.writerText(inBase + off, len);
  return W.writerReason() != 0 ? 0 : <u32>n; // a refusal returns its reason: none of it counts
}

/** Push staged bytes to the sink; returns bytes still staged. */
export function mimeFlush(): u32 { return stCap == 0 ? 0 : stageFlush(); }
/** Dry run: exact message size so far (RFC 1870 SIZE). */
export function mimeSize(): f64 { return counted + <f64>stagePending(); }

/** Encoded size of an n-byte attachment body. */
export function mimeEncodedSize(n: f64, binary: i32): f64 { return encodedSize(n, binary != 0); }
/** Largest attachment that keeps a message with `overhead` other bytes ≤ maxSize. */
export function mimeMaxPartBytes(maxSize: f64, overhead: f64, binary: i32): f64 {
  return maxPartBytes(maxSize, overhead, binary != 0);
}
/** Page ends (u32) at inPtr → the end offset of each message after them; returns the number of
 *  messages, 0 = refused (mimeReason(): ReasonNoFit when one page alone is over cap). */
export function mimeSplitPages(pageCount: u32, cap: f64): u32 {
  // the ends and the cuts both live in the in buffer
  const n = pageCount > inSize / 8 ? -ReasonBadArgument : splitPages(inBase, pageCount, cap, inBase + (<usize>pageCount << 2));
  splitReason = n < 0 ? -n : 0;
  return n < 0 ? 0 : <u32>n;
}
