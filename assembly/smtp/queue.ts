// The bounded event queue (what the host drains with nextEvent()) and the bounded queue of
// commands whose replies are still outstanding (RFC 2920: replies come back in command order).
// Both are carved once; a full event queue makes feed() stop early instead of dropping events.
import { eventTextMax, outTaken, outUsed } from "../core/buffers";
import {
  RecordKind, RecordCode, RecordIndex, RecordClass, RecordReason, RecordCommand, RecordDetail,
  RecordTextLen, RecordEnhancedLen, RecordEnhanced, RecordText,
} from "./events";

// ── Events ─────────────────────────────────────────────────────────────────────────────────
// Variable-length records in one byte area, oldest first: a record is the header of events.ts's
// Record* layout and its text rounded up to 4 bytes, so a pipelined envelope of 100 short RCPT
// lines costs a few KB, not 100 full-size slots. When the free space at the end runs out, the
// live records move to the front (rare: the host drains the queue after every call, which
// empties it).
/** Events a single reply can cause (reply, recipient, auth, command sent, ready, failed …). */
export const EventsPerReply: u32 = 8;
const ENH_MAX: u32 = <u32>(RecordText - RecordEnhanced);
const HDR: u32 = <u32>RecordText;

/** The Cmd* every event pushed now carries: the command a reply answers while the session
 *  handles it, the command being sent inside sendEnd. 0 outside both. */
export let eventCmd: i32 = 0;
export function setEventCmd(cmd: i32): void { eventCmd = cmd; }

let evBase: usize = 0;
let evCap: u32 = 0;
let evHead: u32 = 0;   // offset of the oldest record
let evTail: u32 = 0;   // offset where the next record goes
let curBase: usize = 0; // the event nextEvent() returned, copied out so later pushes cannot touch it

// @ts-ignore: decorator
@inline function recordSize(textLen: u32): u32 {
  return HDR + ((min(textLen, eventTextMax) + 3) & ~3);
}

export function carveEvents(): void {
  if (evBase != 0) return;
  // room for the events of two replies at full text size, plus a pipelined envelope's
  // CommandSent lines (the envelope checks eventsRoom() before it sends)
  evCap = 2 * EventsPerReply * recordSize(eventTextMax) + 8192;
  evBase = heap.alloc(<usize>evCap);
  curBase = heap.alloc(<usize>recordSize(eventTextMax));
}

/** Could `records` more events with `textBytes` of text in total be queued now? */
export function eventsRoom(records: u32, textBytes: u32): bool {
  return (evTail - evHead) + records * (HDR + 3) + textBytes <= evCap;
}

/** Could they be queued once the host drained everything? */
export function eventsFit(records: u32, textBytes: u32): bool {
  return records * (HDR + 3) + textBytes <= evCap;
}

/** Room for the events of one more reply (what feed() checks before every byte). */
export function eventsRoomForReply(): bool {
  return (evTail - evHead) + EventsPerReply * recordSize(eventTextMax) <= evCap;
}

export function eventsClear(): void {
  evHead = 0;
  evTail = 0;
}

/** Queue an event; false (and nothing queued) when full — callers check the room first. */
export function pushEvent(kind: i32, code: i32, index: i32, cls: i32, reason: i32,
  text: usize, textLen: u32, enh: usize, enhLen: u32, detail: i32 = 0): bool {
  const size = recordSize(textLen);
  if (evTail + size > evCap && evHead > 0) { // move the live records to the front
    memory.copy(evBase, evBase + evHead, evTail - evHead);
    evTail -= evHead;
    evHead = 0;
  }
  if (evTail + size > evCap) return false;
  const s = evBase + evTail;
  const tl = min(textLen, eventTextMax);
  const el = min(enhLen, ENH_MAX);
  store<i32>(s + RecordKind, kind);
  store<i32>(s + RecordCode, code);
  store<i32>(s + RecordIndex, index);
  store<i32>(s + RecordClass, cls);
  store<i32>(s + RecordReason, reason);
  store<i32>(s + RecordCommand, eventCmd);
  store<i32>(s + RecordDetail, detail);
  store<u32>(s + RecordTextLen, tl);
  store<u32>(s + RecordEnhancedLen, el);
  if (el) memory.copy(s + RecordEnhanced, enh, el);
  if (tl && text) memory.copy(s + HDR, text, tl);
  evTail += size;
  return true;
}

/** Queue an event whose text is an ASCII string literal (read in place, not allocated). */
export function pushEventLit(kind: i32, code: i32, index: i32, cls: i32, reason: i32, msg: string): bool {
  const n = min(<u32>msg.length, eventTextMax);
  if (!pushEvent(kind, code, index, cls, reason, 0, n, 0, 0)) return false;
  const s = evBase + evTail - recordSize(n); // compaction may have moved it: count from the tail
  for (let i: u32 = 0; i < n; i++) store<u8>(s + HDR + i, <u8>msg.charCodeAt(<i32>i));
  return true;
}

/** Move the oldest event to the current-event area; returns its address, 0 when none. */
export function popEvent(): usize {
  if (evHead == evTail) {
    evHead = 0;
    evTail = 0;
    return 0;
  }
  const s = evBase + evHead;
  const size = recordSize(load<u32>(s + RecordTextLen));
  memory.copy(curBase, s, size);
  memory.fill(s, 0, size); // reply text may quote what we sent; keep no stale copies
  evHead += size;
  if (evHead == evTail) {
    evHead = 0;
    evTail = 0;
  }
  return curBase;
}

// ── Outstanding commands ───────────────────────────────────────────────────────────────────
export const PendingCap: u32 = 256;
let pdBase: usize = 0; // u32 entries: command kind in the low byte, recipient index above
let pdEnd: usize = 0;  // u32 entries: output position just after the command (outTaken + outUsed)
let pdHead: u32 = 0;
export let pendingCount: u32 = 0;
/** Whether the command pendingPop() returned last had left the output buffer (was written). */
export let poppedWritten = false;

export function carvePending(): void {
  if (pdBase != 0) return;
  pdBase = heap.alloc(<usize>PendingCap << 2);
  pdEnd = heap.alloc(<usize>PendingCap << 2);
}
export function pendingClear(): void {
  pdHead = 0;
  pendingCount = 0;
}
/** Queue the reply slot of the command that ends at the current end of the output buffer. */
export function pendingPush(cmd: i32, index: i32): bool {
  if (pendingCount >= PendingCap) return false;
  const at = <usize>((pdHead + pendingCount) % PendingCap) << 2;
  store<u32>(pdBase + at, <u32>(cmd & 0xff) | (<u32>index << 8));
  store<u32>(pdEnd + at, outTaken + outUsed);
  pendingCount++;
  return true;
}
/** Oldest outstanding command as (index << 8 | cmd), or -1 when none; sets poppedWritten. */
export function pendingPop(): i32 {
  if (pendingCount == 0) return -1;
  const at = <usize>pdHead << 2;
  const v = load<u32>(pdBase + at);
  // the host has taken every byte up to the command's end (difference, so wrapping is harmless)
  poppedWritten = <i32>(load<u32>(pdEnd + at) - outTaken) <= 0;
  pdHead = (pdHead + 1) % PendingCap;
  pendingCount--;
  return <i32>v;
}
/** The sum of the index fields of the outstanding commands of this kind (for BDAT: the bytes
 *  of the chunks still waiting for their reply). */
export function pendingSum(cmd: i32): u32 {
  let sum: u32 = 0;
  for (let i: u32 = 0; i < pendingCount; i++) {
    const v = load<u32>(pdBase + (<usize>((pdHead + i) % PendingCap) << 2));
    if (<i32>(v & 0xff) == cmd) sum += v >> 8;
  }
  return sum;
}
/** The command the next reply will answer (Cmd*), 0 when none is outstanding. */
export function pendingHeadCmd(): i32 {
  return pendingCount == 0 ? 0 : <i32>(load<u32>(pdBase + (<usize>pdHead << 2)) & 0xff);
}

/** Whether a command of this kind is still waiting for its reply. */
export function pendingHas(cmd: i32): bool {
  for (let i: u32 = 0; i < pendingCount; i++) {
    if (<i32>(load<u32>(pdBase + (<usize>((pdHead + i) % PendingCap) << 2)) & 0xff) == cmd) return true;
  }
  return false;
}
