// One SessionResult from what a connection attempt saw. The rule that matters: "sent" and
// "partial" only when the server's final 250 to every message part was read — a half-sent
// scan is never reported as sent. Why an attempt failed comes from the one reply pipeline
// (classify.ts); this file only says it.
import { summarizeRecipients, type RecipientOutcome } from "../config/replies.js";
import type { PresetName } from "../config/board.js";
import { TransportError, type TlsInfo } from "../transport/types.js";
import { say } from "../text/outcomes.js";
import { cleanServerText } from "../text/sanitize.js";
import { classifyAttempt, classifyRecipient, sentenceFor, type CoreFailure } from "./classify.js";
import type { BodyModeName } from "./message.js";
import type { SessionResult } from "./types.js";

export interface AttemptState {
  recipients: { address: string; code: number; enhanced: string; text: string }[];
  partsAccepted: number;
  partsTotal: number;
  failure: CoreFailure | null;
  lastAccept: { code: number; enhanced: string; text: string } | null;
  authRejected: boolean;
  transportError: TransportError | null;
  /** Where a transport failure hit: the core's state then and the last command sent. */
  where?: { stage: string; command: string };
  mimeError: Error | null;
  bodyMode: BodyModeName | undefined;
  tls: TlsInfo | null;
  wireBytes: number;
  roundTrips: number;
  /** Classification context: the preset the settings came from, and whether AUTH was XOAUTH2. */
  preset?: PresetName;
  xoauth2?: boolean;
  /** The message is on durable storage (SessionOptions.stored): only then may a sentence
   *  promise that the device will retry. */
  stored?: boolean;
}

/** Where it failed: the core state and the command whose reply failed it (or the last one sent). */
function failedAt(st: AttemptState): { stage?: string; command?: string } {
  const at = st.failure ?? st.where;
  return at ? { stage: at.stage, command: at.command } : {};
}

export function composeResult(st: AttemptState): SessionResult {
  const common = {
    wireBytes: st.wireBytes, roundTrips: st.roundTrips, parts: { sent: st.partsAccepted, total: st.partsTotal },
    ...(st.bodyMode ? { bodyMode: st.bodyMode } : {}), tls: st.tls,
  };
  const ctx = st.preset ? { preset: st.preset } : {};
  // A refused recipient's id and next action, as the outbox needs them (fix-config holds the job).
  const refusal = (r: AttemptState["recipients"][number]) => {
    const c = classifyRecipient(r, ctx);
    return { id: c.id, action: c.action };
  };
  if (st.partsAccepted > 0 && st.partsAccepted === st.partsTotal && !st.mimeError) {
    const outcomes: RecipientOutcome[] = st.recipients.map((r) => ({ address: r.address, result: classifyRecipient({ ...r, code: r.code || 250 }, ctx) }));
    const sum = summarizeRecipients(outcomes, !st.stored);
    const all = sum.accepted === st.recipients.length;
    return {
      status: all ? "sent" : "partial",
      code: st.lastAccept?.code ?? 250, enhanced: st.lastAccept?.enhanced ?? "",
      message: st.partsTotal > 1 ? say("PARTS", { text: sum.userMessage, n: st.partsTotal }) : sum.userMessage,
      userMessage: sum.userMessage,
      recipients: st.recipients.map((r, i) => ({
        address: r.address, accepted: outcomes[i]!.result.class === "ok", code: r.code || 250,
        ...(r.enhanced ? { enhanced: r.enhanced } : {}),
        ...(r.code >= 400 ? { message: cleanServerText(r.text), id: outcomes[i]!.result.id, action: outcomes[i]!.result.action } : {}),
      })),
      messageAccepted: true, transient: sum.retry.length > 0, id: sum.id, action: sum.action,
      ...(sum.adminHint ? { adminHint: sum.adminHint } : {}), ...common,
    };
  }
  const { c, detail, configError } = classifyAttempt(st);
  const transient = c.class === "transient";
  // Nothing was stored here unless the caller says so: only the outbox, once the job is on
  // durable storage, says "queued" — and only then may the sentence promise a retry.
  const sentence = sentenceFor(c, !st.stored);
  const partial = st.partsAccepted > 0 ? say("PARTS_DELIVERED", { sent: st.partsAccepted, total: st.partsTotal }) : "";
  return {
    status: transient ? "not-sent-transient" : "failed",
    code: c.code, enhanced: c.enhanced,
    // One sentence for what happened, then the detail (the server's reply or the local reason).
    message: [sentence, detail, partial].filter(Boolean).join(" "),
    userMessage: sentence,
    recipients: st.recipients.map((r) => ({
      address: r.address, accepted: false, code: r.code >= 400 ? r.code : c.code,
      ...(r.code >= 400 && r.enhanced ? { enhanced: r.enhanced } : {}),
      ...(r.code >= 400 ? refusal(r) : {}),
    })),
    messageAccepted: false, transient, id: c.id, action: c.action, adminHint: c.adminHint, ...failedAt(st),
    ...(c.accountBackoffMs ? { accountBackoffMs: c.accountBackoffMs } : {}),
    ...(configError ? { configError: true } : {}), ...common,
  };
}

/** A failure before the connection was opened (bad settings, missing file, core not loadable). */
export function errorResult(e: unknown, total: { wire: number; trips: number }, addresses: string[] = [], stored = false): SessionResult {
  const st: AttemptState = {
    recipients: addresses.map((address) => ({ address, code: 0, enhanced: "", text: "" })), partsAccepted: 0, partsTotal: 1, failure: null, lastAccept: null, authRejected: false,
    transportError: e instanceof TransportError ? e : null,
    mimeError: e instanceof TransportError ? null : e instanceof Error ? e : new Error(String(e)),
    bodyMode: undefined, tls: null, wireBytes: total.wire, roundTrips: total.trips, stored,
  };
  return composeResult(st);
}
