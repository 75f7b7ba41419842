// Where finished message bytes go. The MIME writer (assembly/mime/) produces RFC 5322 message
// bytes and hands them to `bodySink`; the SMTP session (assembly/smtp/) installs its DATA/BDAT
// framer here while it is in the body phase. With no session, bytes go to the output buffer as
// they are, which is how the MIME writer runs alone (tests, benchmarks, .eml export).
import { outAppend, outFree } from "./buffers";

/** Accept up to len bytes at src; return how many were taken (fewer = back-pressure). */
export type Sink = (src: usize, len: u32) => u32;

function rawSink(src: usize, len: u32): u32 {
  const n = min(len, outFree());
  outAppend(src, n);
  return n;
}

export let bodySink: Sink = rawSink;

export function installBodySink(sink: Sink): void {
  bodySink = sink;
}

export function resetBodySink(): void {
  bodySink = rawSink;
}
