// The bounded event queue (what the host drains with nextEvent()) and the bounded queue of
// commands whose replies are still outstanding (RFC 2920: replies come back in command order).
// Both are carved once; a full event queue makes feed() stop early instead of dropping events.
import { eventTextMax } from "../core/buffers";
import { MaxRecipients } from "./fields";

// ── Events ─────────────────────────────────────────────────────────────────────────────────
/** Room for a whole pipelined envelope (one CommandSent per RCPT) plus the events of a reply. */
export const EventQueueCap: u32 = <u32>MaxRecipients + 28;
/** Events a single reply can cause (reply, recipient, auth, command sent, ready, failed …). */
export const EventsPerReply: u32 = 8;
const ENH_MAX: u32 = 12;
// slot: kind, code, index, cls, reason, textLen, enhLen (i32 each) | enhanced[12] | text
const HDR: u32 = 28 + ENH_MAX;

let evBase: usize = 0;
let evSlot: u32 = 0;
let evHead: u32 = 0;
let evCount: u32 = 0;
let curBase: usize = 0; // the event nextEvent() returned, copied out so later pushes cannot touch it

export function carveEvents(): void {
  if (evBase != 0) return;
  evSlot = (HDR + eventTextMax + 3) & ~3;
  evBase = heap.alloc(<usize>evSlot * EventQueueCap);
  curBase = heap.alloc(<usize>evSlot);
}

export function eventsFree(): u32 {
  return EventQueueCap - evCount;
}

export function eventsClear(): void {
  evHead = 0;
  evCount = 0;
}

/** Queue an event; false (and nothing queued) when full — callers check eventsFree() first. */
export function pushEvent(kind: i32, code: i32, index: i32, cls: i32, reason: i32,
  text: usize, textLen: u32, enh: usize, enhLen: u32): bool {
  if (evCount >= EventQueueCap) return false;
  const s = evBase + <usize>((evHead + evCount) % EventQueueCap) * evSlot;
  const tl = min(textLen, eventTextMax);
  const el = min(enhLen, ENH_MAX);
  store<i32>(s, kind);
  store<i32>(s, code, 4);
  store<i32>(s, index, 8);
  store<i32>(s, cls, 12);
  store<i32>(s, reason, 16);
  store<u32>(s, tl, 20);
  store<u32>(s, el, 24);
  if (el) memory.copy(s + 28, enh, el);
  if (tl) memory.copy(s + HDR, text, tl);
  evCount++;
  return true;
}

/** Queue an event whose text is an ASCII string literal (read in place, not allocated). */
export function pushEventLit(kind: i32, code: i32, index: i32, cls: i32, reason: i32, msg: string): bool {
  if (evCount >= EventQueueCap) return false;
  if (!pushEvent(kind, code, index, cls, reason, 0, 0, 0, 0)) return false;
  const s = evBase + <usize>((evHead + evCount - 1) % EventQueueCap) * evSlot;
  const n = min(<u32>msg.length, eventTextMax);
  for (let i: u32 = 0; i < n; i++) store<u8>(s + HDR + i, <u8>msg.charCodeAt(<i32>i));
  store<u32>(s, n, 20);
  return true;
}

/** Move the oldest event to the current-event area; returns its kind, 0 when none. */
export function popEvent(): i32 {
  if (evCount == 0) {
    memory.fill(curBase, 0, HDR);
    return 0;
  }
  const s = evBase + <usize>evHead * evSlot;
  memory.copy(curBase, s, evSlot);
  memory.fill(s, 0, evSlot); // reply text may quote what we sent; keep no stale copies
  evHead = (evHead + 1) % EventQueueCap;
  evCount--;
  return load<i32>(curBase);
}

export function curCode(): i32 { return load<i32>(curBase, 4); }
export function curIndex(): i32 { return load<i32>(curBase, 8); }
export function curClass(): i32 { return load<i32>(curBase, 12); }
export function curReason(): i32 { return load<i32>(curBase, 16); }
export function curTextLen(): u32 { return load<u32>(curBase, 20); }
export function curEnhLen(): u32 { return load<u32>(curBase, 24); }
export function curEnhPtr(): usize { return curBase + 28; }
export function curTextPtr(): usize { return curBase + HDR; }

// ── Outstanding commands ───────────────────────────────────────────────────────────────────
export const PendingCap: u32 = 256;
let pdBase: usize = 0; // u32 entries: command kind in the low byte, recipient index above
let pdHead: u32 = 0;
export let pendingCount: u32 = 0;

export function carvePending(): void {
  if (pdBase == 0) pdBase = heap.alloc(<usize>PendingCap << 2);
}
export function pendingClear(): void {
  pdHead = 0;
  pendingCount = 0;
}
export function pendingPush(cmd: i32, index: i32): bool {
  if (pendingCount >= PendingCap) return false;
  store<u32>(pdBase + (<usize>((pdHead + pendingCount) % PendingCap) << 2), <u32>(cmd & 0xff) | (<u32>index << 8));
  pendingCount++;
  return true;
}
/** Oldest outstanding command as (index << 8 | cmd), or -1 when none. */
export function pendingPop(): i32 {
  if (pendingCount == 0) return -1;
  const v = load<u32>(pdBase + (<usize>pdHead << 2));
  pdHead = (pdHead + 1) % PendingCap;
  pendingCount--;
  return <i32>v;
}
/** Whether a command of this kind is still waiting for its reply. */
export function pendingHas(cmd: i32): bool {
  for (let i: u32 = 0; i < pendingCount; i++) {
    if (<i32>(load<u32>(pdBase + (<usize>((pdHead + i) % PendingCap) << 2)) & 0xff) == cmd) return true;
  }
  return false;
}
