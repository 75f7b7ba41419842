// The core's fixed buffers. configure() carves them once from the board profile's sizes; after
// that no protocol step allocates, so linear memory does not grow with the message.
import { StatusDone, ReasonBadState, ReasonBadArgument } from "./status";

/** host → core staging area (server bytes, config strings, body chunks) */
export let inBase: usize = 0;
export let inSize: u32 = 0;
/** core → host wire bytes, drained by the host with outConsume() */
export let outBase: usize = 0;
export let outSize: u32 = 0;
export let outUsed: u32 = 0;
/** Bytes the host has taken from the output buffer so far (wraps at 2^32; compared by difference).
 *  `outTaken + outUsed` marks the end of everything produced: a command whose end lies beyond
 *  `outTaken` has not been handed to the wire yet, so no reply to it can have come (smtp/order.ts). */
export let outTaken: u32 = 0;
/** the longest server reply line the core accepts (RFC 5321 §4.5.3.1.5 says 512; boards may allow more) */
export let replyLineMax: u32 = 512;
/** bytes of reply text an event can carry (longer text is truncated, never overflows) */
export let eventTextMax: u32 = 512;

export let configured = false;


/** Smallest sizes that still let one SMTP command line (512 octets) through. */
const MIN_IN: u32 = 64;
const MIN_OUT: u32 = 1024;
const MAX_ANY: u32 = 16 << 20;

/** StatusDone, ReasonBadState (configured already) or ReasonBadArgument (a size out of range). */
export function configureBuffers(inCap: u32, outCap: u32, lineMax: u32, textMax: u32): i32 {
  if (configured) return ReasonBadState;
  if (inCap < MIN_IN || outCap < MIN_OUT || inCap > MAX_ANY || outCap > MAX_ANY) return ReasonBadArgument;
  if (lineMax < 512 || lineMax > MAX_ANY || textMax < 64 || textMax > MAX_ANY) return ReasonBadArgument;
  inBase = heap.alloc(<usize>inCap);
  inSize = inCap;
  outBase = heap.alloc(<usize>outCap);
  outSize = outCap;
  outUsed = 0;
  replyLineMax = lineMax;
  eventTextMax = textMax;
  configured = true;
  return StatusDone;
}

// The output cursor has two writers, both here: producers reserve free space, write into it and
// commit what they wrote (smoltcp's `enqueue_unallocated` shape); the host's outConsume() drops
// bytes from the front. A producer that stops half-way commits nothing, so a command is on the
// wire whole or not at all.

/** Space left in the output buffer. */
// @ts-ignore: decorator
@inline export function outFree(): u32 {
  return outSize - outUsed;
}

/** Where n more bytes would go, or 0 when fewer than n are free. Nothing is committed yet. */
// @ts-ignore: decorator
@inline export function outReserve(n: u32): usize {
  return n > outSize - outUsed ? 0 : outBase + outUsed;
}

/** Make n bytes written at outReserve()'s address part of the output (n ≤ what was reserved). */
// @ts-ignore: decorator
@inline export function outCommit(n: u32): void {
  outUsed += n;
}

/** Append len bytes from src to the output buffer; all or nothing. */
export function outAppend(src: usize, len: u32): bool {
  const p = outReserve(len);
  if (!p) return false;
  memory.copy(p, src, len);
  outCommit(len);
  return true;
}

/** The host wrote n bytes to the wire: drop them from the front. */
export function outDrop(n: u32): void {
  if (n >= outUsed) {
    outTaken += outUsed;
    outUsed = 0;
    return;
  }
  outTaken += n;
  memory.copy(outBase, outBase + n, outUsed - n);
  outUsed -= n;
}
