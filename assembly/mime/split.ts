// Size arithmetic for SIZE (RFC 1870) and for splitting a scan over several messages when the
// server's limit (or Exchange Online's default 35 MB) is smaller than the encoded scan.
import { base64Size } from "./base64";
import { ReasonNoFit, ReasonBadArgument } from "./consts";

/** Encoded size of an n-byte attachment body as the writer lays it out. */
export function encodedSize(n: f64, binary: bool): f64 {
  return binary ? n : base64Size(n);
}

/** Largest attachment byte count whose message stays ≤ maxSize, given the encoded size of
 *  everything else (`overhead`, from a dry run with an empty attachment). */
export function maxPartBytes(maxSize: f64, overhead: f64, binary: bool): f64 {
  const room = Math.floor(maxSize - overhead);
  if (room <= 0) return 0;
  if (binary) return room;
  // whole 57-byte lines cost 78 bytes each except the last one's CRLF: enc(57k) = 78k - 2
  const k = Math.floor((room + 2) / 78);
  let n = k * 57;
  for (let r = 56; r > 0; r--) {
    if (base64Size(n + r) <= room) return n + r;
  }
  while (n > 0 && base64Size(n) > room) n -= 57;
  return n;
}

/** Greedy split on page boundaries: `ends` holds pageCount ascending cumulative end offsets
 *  (u32), the last one being the attachment size. Writes each message's end offset to `cuts`
 *  and returns the number of messages, or −ReasonNoFit when one page alone is too big
 *  (−ReasonBadArgument for no pages or ends out of order). */
export function splitPages(ends: usize, pageCount: u32, cap: f64, cuts: usize): i32 {
  if (pageCount == 0) return -ReasonBadArgument;
  let start: f64 = 0;
  let prev: f64 = 0;
  let count: i32 = 0;
  for (let i: u32 = 0; i < pageCount; i++) {
    const e = <f64>load<u32>(ends + (<usize>i << 2));
    if (e < prev) return -ReasonBadArgument;
    if (e - start > cap) {
      if (prev == start) return -ReasonNoFit;
      store<u32>(cuts + (<usize>count << 2), <u32>prev);
      count++;
      start = prev;
      if (e - start > cap) return -ReasonNoFit;
    }
    prev = e;
  }
  store<u32>(cuts + (<usize>count << 2), <u32>prev);
  return count + 1;
}
