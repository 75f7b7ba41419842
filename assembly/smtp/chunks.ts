// BDAT chunk assembly (RFC 3030 §2). A chunk's size is set in bytes by the host (FieldBdatChunk,
// from the board), not by how much the MIME writer happens to offer per call: message bytes
// gather in an open chunk at the end of the output buffer, beyond outUsed where the host does
// not see them, and the chunk is closed — its "BDAT n" line written in front, the data moved up
// against it — when it reaches the chunk size, when the output buffer has no room left behind
// it, or at the end of the message. So the headers' many small writes become one chunk, and a
// 4 KiB staging buffer still makes 8 KiB (or 256 KiB) chunks.
//
// The pipelining window (RFC 2920 + RFC 3030 §4.2) is counted in bytes as well: no new chunk is
// opened while the chunks still waiting for their 250 hold FieldBdatWindow bytes or more (the
// link's bandwidth × round-trip time), however many chunks that is; the pending-command queue's
// own cap still applies.
import { outBase, outSize, outReserve, outCommit, outFree } from "../core/buffers";
import { wireBegin, wireLit, wireU32, wireEnd, wireStart, wireLen } from "./wire";
import { pushEvent, eventsRoom, EventsPerReply, pendingPush, pendingCount, pendingSum, PendingCap } from "./queue";
import { eventTextMax } from "../core/buffers";
import { normalise, produced } from "./framer";
import { EventCommandSent, ClassOk } from "./events";
import { bdatChunkMax } from "./config";

/** Room for "BDAT 4294967295\r\n" in front of a chunk's data. */
const HDR: u32 = 18;

// configuration (setInt); the chunk size is session.ts's bdatChunkMax (FieldBdatChunk)
export let windowBytes: u32 = 0; // 0 = bounded by the pending-command queue only
export function setWindowBytes(v: u32): void { windowBytes = v; }

let open = false;
let openAt: usize = 0; // where the open chunk's data starts (absolute address)
let openLen: u32 = 0;

export function chunksReset(): void {
  open = false;
  openLen = 0;
}

/** Room for one CommandSent and the events of the reply it will get. */
function roomForOneCommand(): bool {
  return eventsRoom(1 + EventsPerReply, (1 + EventsPerReply) * eventTextMax);
}

/** Room left behind the open chunk's data in the output buffer. */
function roomBehind(): u32 {
  const end = openAt + openLen;
  const limit = outBase + outSize;
  return end >= limit ? 0 : <u32>(limit - end);
}

/** The open chunk takes nothing more: at its size, at the end of the output buffer, or (lines
 *  normalised to CRLF) with less room than the 4 bytes one input byte can become. */
function full(binary: bool): bool {
  const room = min(target() - openLen, roomBehind());
  return binary ? room == 0 : room < 4;
}

function target(): u32 {
  const most = outSize - HDR;
  return bdatChunkMax > 0 ? min(bdatChunkMax, most) : most;
}

/** Take up to len message bytes into the open chunk (opening one when allowed). Returns bytes
 *  consumed; 0 = wait (window full, output full, or the previous chunk's reply outstanding). */
export function chunkWrite(src: usize, len: u32, binary: bool, pipelined: bool, cmd: i32): u32 {
  if (open && full(binary)) chunkClose(cmd);
  if (!open) {
    // RFC 3030 §2 + RFC 2920: chunks go out back to back only with PIPELINING; else one per reply
    if (!pipelined && pendingCount > 0) return 0;
    if (pendingCount >= PendingCap - 2 || !roomForOneCommand()) return 0;
    if (windowBytes > 0 && pendingCount > 0 && pendingSum(cmd) >= windowBytes) return 0;
    const at = outReserve(HDR + 4);
    if (!at) return 0;
    open = true;
    openAt = at + HDR;
    openLen = 0;
  }
  const room = min(target() - openLen, roomBehind());
  const dst = openAt + openLen;
  let used: u32;
  if (binary) { // octets as they are
    used = min(len, room);
    memory.copy(dst, src, used);
    openLen += used;
  } else { // plain CHUNKING still carries CRLF lines
    used = normalise(src, len, dst, room, false);
    openLen += produced;
  }
  if (full(binary)) chunkClose(cmd);
  return used;
}

/** Close the open chunk: "BDAT n" goes in front of its data, which moves up against it. */
export function chunkClose(cmd: i32): void {
  if (!open) return;
  open = false;
  const n = openLen;
  openLen = 0;
  if (n == 0) return;
  wireBegin();
  wireLit("BDAT ");
  wireU32(n);
  wireEnd();
  pushEvent(EventCommandSent, 0, 0, ClassOk, 0, wireStart(), wireLen(), 0, 0);
  // The host may have drained bytes since the chunk opened, so outUsed only moved down: the
  // destination is at or before the data (memory.copy is a memmove).
  memory.copy(outReserve(n), openAt, n); // the line took ≤ HDR bytes: the data fits behind it
  outCommit(n);
  pendingPush(cmd, <i32>n); // the chunk's size rides in the entry: the window counts bytes
}
