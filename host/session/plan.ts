// The message plan, fixed at the first ReadyForEnvelope (the server's capabilities known): the
// body mode, and the message parts — one, or a split scan's parts — each with its exact encoded
// size. Every part is sized once (one dry run through the MIME writer, which also validates its
// headers); the envelope's SIZE= and the body's write both use that size.
import type { Core } from "../core/core.js";
import { splitLimit, type MessageSpec, type MimeWriter, type WriteMode } from "../core/mime.js";
import { chooseBodyMode, type BodyModeName } from "./message.js";
import type { SessionOptions } from "./types.js";

export interface PlannedPart {
  spec: MessageSpec;
  /** Exact encoded size (RFC 1870 SIZE=). */
  size: number;
  /** Where this part's bytes start in the scan (page progress). */
  start: number;
}

export interface MessagePlan {
  choice: BodyModeName;
  /** The core's BodyMode* constant for sendEnvelope(). */
  bodyMode: number;
  mode: WriteMode;
  parts: PlannedPart[];
  /** All parts' bytes together (progress). */
  bytesTotal: number;
}

export async function planMessage(core: Core, mime: MimeWriter, spec: MessageSpec, o: SessionOptions): Promise<MessagePlan> {
  const k = core.k;
  const caps = core.caps();
  const choice = chooseBodyMode(caps.flags, k, o.binaryMime ?? o.board.smtp.binaryMime, o.chunking, spec);
  const bodyMode = { "7bit": k.BodyMode7Bit!, "8bitmime": k.BodyMode8BitMime!, binarymime: k.BodyModeBinaryMime!, chunked: k.BodyModeChunked! }[choice];
  const eightBit = choice === "8bitmime" || choice === "binarymime" || choice === "chunked" && (caps.flags & k.Cap8BitMime!) !== 0;
  const mode: WriteMode = { binary: choice === "binarymime", eightBit };
  const max = splitLimit(o.board.message, (caps.flags & k.CapSize!) !== 0 ? caps.sizeLimit : 0);
  let parts: PlannedPart[];
  if (spec.attachments.length === 1) {
    // The plan sizes the whole message, and each part when it must split.
    const plan = await mime.splitPlan(spec, max, mode);
    parts = plan.messages.length === 1
      ? [{ spec, size: plan.total, start: 0 }]
      : plan.messages.map((m) => ({ spec: mime.part(spec, m.index, m.of, m.start, m.end), size: m.size, start: m.start }));
  } else {
    parts = [{ spec, size: await mime.size(spec, mode), start: 0 }];
  }
  return { choice, bodyMode, mode, parts, bytesTotal: parts.reduce((s, p) => s + p.size, 0) };
}
