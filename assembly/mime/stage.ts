// The writer's staging buffer: encoded bytes wait here until `bodySink` takes them. Carved once
// by setInt(FieldMimeStage); when the sink takes fewer bytes than offered the rest stays here and the
// writer reports StatusBusy, so back-pressure never loses or copies a whole chunk.
import { bodySink } from "../core/sink";

export let stBase: usize = 0;
export let stCap: u32 = 0;
export let stHead: u32 = 0;
export let stTail: u32 = 0;
/** Dry-run mode: bytes are counted and thrown away instead of reaching the sink. */
export let counting = false;
export let counted: f64 = 0;

export function stageCarve(cap: u32): void {
  stBase = heap.alloc(<usize>cap);
  stCap = cap;
  stHead = 0;
  stTail = 0;
}

export function stageReset(count: bool): void {
  stHead = 0;
  stTail = 0;
  counting = count;
  counted = 0;
}

/** Bytes staged but not yet taken by the sink. */
// @ts-ignore: decorator
@inline export function stagePending(): u32 {
  return stTail - stHead;
}

/** Offer the staged bytes to the sink; returns what is still pending. */
export function stageFlush(): u32 {
  if (counting) {
    counted += <f64>(stTail - stHead);
    stHead = 0;
    stTail = 0;
    return 0;
  }
  while (stHead < stTail) {
    const n = bodySink(stBase + stHead, stTail - stHead);
    if (n == 0) break;
    stHead += n;
  }
  if (stHead == stTail) {
    stHead = 0;
    stTail = 0;
  }
  return stTail - stHead;
}

/** Make room for n more bytes (n ≤ stCap): flush, then compact. False = drain first. */
export function stageNeed(n: u32): bool {
  if (stCap - stTail >= n) return true;
  stageFlush();
  if (stHead > 0) {
    // at most stCap bytes move, and only when the sink pushed back
    memory.copy(stBase, stBase + stHead, stTail - stHead);
    stTail -= stHead;
    stHead = 0;
  }
  return stCap - stTail >= n;
}

/** Free bytes at the tail right now (no flush). */
// @ts-ignore: decorator
@inline export function stageFree(): u32 {
  return stCap - stTail;
}

// @ts-ignore: decorator
@inline export function put(b: u32): void {
  store<u8>(stBase + stTail, <u8>b);
  stTail++;
}

export function putCRLF(): void {
  store<u16>(stBase + stTail, 0x0A0D);
  stTail += 2;
}

/** Append a static ASCII string (callers reserved the room with stageNeed). */
export function putStr(s: string): void {
  const n = s.length;
  for (let i = 0; i < n; i++) store<u8>(stBase + stTail + i, <u8>s.charCodeAt(i));
  stTail += n;
}

export function putMem(src: usize, n: u32): void {
  memory.copy(stBase + stTail, src, n);
  stTail += n;
}

/** Callers that wrote at stBase + stTail directly move the tail with this. */
// @ts-ignore: decorator
@inline export function stageAdvance(n: u32): void {
  stTail += n;
}

/** Dry run: account for n content bytes that are never staged (binary parts, a dry run's attachment). */
export function stageCount(n: f64): void {
  counted += n;
}
