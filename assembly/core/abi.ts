// Exports for the core's memory areas; see assembly/index.ts for the whole ABI.
import { configureBuffers, outUsed, outDrop } from "./buffers";

/** Carve the fixed buffers (sizes from the board profile). 0 ok, else a Reason*. Call once. */
export function configure(inCap: u32, outCap: u32, lineMax: u32, eventTextCap: u32): i32 {
  return configureBuffers(inCap, outCap, lineMax, eventTextCap);
}
/** Wire bytes waiting at info(InfoOutPtr). */
export function outLen(): u32 { return outUsed; }
/** The host wrote n bytes of them to the wire. */
export function outConsume(n: u32): void { outDrop(n); }
