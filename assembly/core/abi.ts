// Exports for the core's memory areas; see assembly/index.ts for the whole ABI.
import {
  configureBuffers, inBase, inSize, outBase, outUsed, outDrop,
} from "./buffers";

/** Carve the fixed buffers (sizes from the board profile). 0 ok, < 0 error. Call once. */
export function configure(inCap: u32, outCap: u32, lineMax: u32, eventTextCap: u32): i32 {
  return configureBuffers(inCap, outCap, lineMax, eventTextCap);
}
export function inPtr(): usize { return inBase; }
export function inCap(): u32 { return inSize; }
export function outPtr(): usize { return outBase; }
export function outLen(): u32 { return outUsed; }
/** The host wrote n bytes of outPtr() to the wire. */
export function outConsume(n: u32): void { outDrop(n); }
/** Current linear memory size in bytes (for the memory benchmark and board checks). */
export function memoryBytes(): u32 { return <u32>memory.size() << 16; }
