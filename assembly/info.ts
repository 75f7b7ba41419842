// info(key): the numbers the host reads but never changes, behind one export: where the
// buffers are, the session's state, what the last EHLO offered, the message size of a dry run.
// Read-only and cheap; f64 so that one call carries a u32 address and a message size alike.
import { inBase, inSize, outBase } from "./core/buffers";
import { state } from "./smtp/state";
import { capFlags, capSize, capAuth } from "./smtp/caps";
import { mimeSize, mimeReason } from "./mime/abi";
import { stagePending } from "./mime/stage";

export const InfoInPtr: i32 = 1;       // host → core staging area: server bytes, config strings, body chunks
export const InfoInCap: i32 = 2;       // its size in bytes
export const InfoOutPtr: i32 = 3;      // core → host wire bytes (outLen() of them)
export const InfoState: i32 = 4;       // the session's State* (events.ts)
export const InfoCapFlags: i32 = 5;    // Cap* bits from the last EHLO (fields.ts)
export const InfoCapSize: i32 = 6;     // SIZE the server announced, 0 = none (RFC 1870)
export const InfoCapAuth: i32 = 7;     // Mech* bits the server offers
export const InfoMemoryBytes: i32 = 8; // linear memory size (board checks, the memory benchmark)
export const InfoMimeSize: i32 = 9;    // dry run: exact message size so far (RFC 1870 SIZE)
export const InfoMimeStaged: i32 = 10; // MIME bytes staged and not yet handed to the sink
export const InfoMimeReason: i32 = 11; // why mimeWrite took nothing or mimeSplitPages refused, 0 = it did not

/** The value of an Info* key; -1 for an unknown key. */
export function info(key: i32): f64 {
  switch (key) {
    case InfoInPtr: return <f64>inBase;
    case InfoInCap: return <f64>inSize;
    case InfoOutPtr: return <f64>outBase;
    case InfoState: return <f64>state;
    case InfoCapFlags: return <f64>capFlags;
    case InfoCapSize: return <f64>capSize;
    case InfoCapAuth: return <f64>capAuth;
    case InfoMemoryBytes: return <f64>(<u32>memory.size() << 16);
    case InfoMimeSize: return mimeSize();
    case InfoMimeStaged: return <f64>stagePending();
    case InfoMimeReason: return <f64>mimeReason();
  }
  return -1;
}
