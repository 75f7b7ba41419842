// ReadyForBody: one message part through the MIME writer onto the wire. The writer answers in
// steps (host/core/mime.ts); bytes go out with at most one write in flight, and a "blocked" step
// hands control to the attempt, which drains events or reads the server until the core can take
// more (BDAT waiting for a chunk's reply, a full event queue).
import type { Core } from "../core/core.js";
import type { MimeWriter } from "../core/mime.js";
import type { MessageSpec } from "../core/mime-types.js";
import { WriteWindow } from "../core/write-window.js";
import type { PhasedTransport } from "../transport/tcp.js";
import type { MessagePlan } from "./plan.js";
import type { Pump } from "./pump.js";
import type { makeProgress } from "./setup.js";
import type { SessionOptions } from "./types.js";

/** The body stopped because the session failed; the failure is already recorded. */
export class BodyAborted extends Error {}

/** What streaming a part needs of the attempt (host/session/attempt.ts). */
export interface BodyHost {
  readonly o: SessionOptions;
  readonly core: Core;
  readonly mime: MimeWriter;
  readonly pump: Pump;
  readonly phased: PhasedTransport | null;
  readonly progress: ReturnType<typeof makeProgress>;
  readonly plan: MessagePlan | null;
  readonly partIndex: number;
  bytesSent: number;
  quitPipelined: boolean;
  /** Handle the events queued so far; throws BodyAborted on a Failed among them. */
  takeQueued(): number;
  /** Let the SMTP side move: drain events, else read the server. */
  unblock(): Promise<void>;
}

export async function streamPart(a: BodyHost): Promise<void> {
  const { core, plan, partIndex, pump } = a;
  const part = plan!.parts[partIndex]!;
  const scanned = { bytes: 0 };
  const pageOf = pageCounter(a, part.start, scanned);
  const window = new WriteWindow(async (b) => {
    // Once the session failed (a reply out of order arrived with the 354, say) not one more
    // byte of the scan goes out: the core no longer frames it, the server may read it as commands.
    if (core.stateName() === "Failed") a.takeQueued();
    if (core.stateName() === "Failed") throw new BodyAborted(); // failure already recorded
    await pump.write(b);
    a.bytesSent += b.length;
    a.o.observer?.body?.(a.bytesSent);
    a.progress.sending(a.bytesSent, plan!.bytesTotal, pageOf(), a.o.message.attachments[0]?.pageEnds?.length, partIndex + 1, plan!.parts.length);
  });
  a.phased?.setPhase("dataBlock");
  try {
    for await (const step of a.mime.steps(counting(part.spec, scanned), plan!.mode, { sized: true })) {
      if (step.kind === "bytes") { await window.push(step.bytes); continue; }
      await window.settle(); // the server can only answer what was written
      await a.unblock();
    }
    await window.settle();
  } finally {
    await window.abandon();
  }
  await pump.untilNotBusy(() => core.bodyEnd());
  // Last part: QUIT goes out with the end of the body, one round trip less (RFC 2920 §3.1 lets
  // QUIT end a pipelined group). The core queues it only with PIPELINING; the final reply still
  // decides MessageAccepted or Failed, and QUIT is not sent twice.
  if (partIndex === plan!.parts.length - 1 && core.quit() === 0) a.quitPipelined = true;
  a.phased?.setPhase("dataTerm");
}

/** The part with its scan wrapped, so progress can say which page is on the wire. */
function counting(spec: MessageSpec, scanned: { bytes: number }): MessageSpec {
  return {
    ...spec,
    attachments: spec.attachments.map((at, i) => i !== 0 ? at : {
      ...at,
      source: async function* () {
        for await (const c of at.source()) {
          scanned.bytes += c.length;
          yield c;
        }
      },
    }),
  };
}

/** The page (1-based) the scan has reached, when the scan knows its pages. */
function pageCounter(a: BodyHost, partStart: number, scanned: { bytes: number }): () => number | undefined {
  const pageEnds = a.o.message.attachments[0]?.pageEnds;
  return () => {
    if (!pageEnds || pageEnds.length === 0) return undefined;
    const abs = partStart + scanned.bytes;
    let p = 0;
    while (p < pageEnds.length - 1 && abs >= pageEnds[p]!) p++;
    return p + 1;
  };
}
