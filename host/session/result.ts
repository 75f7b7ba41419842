// One SessionResult from what a connection attempt saw. The rule that matters: "sent" and
// "partial" only when the server's final 250 to every message part was read — a half-sent
// scan is never reported as sent.
import {
  classifyLocal, classifyReply, classifyTransport, summarizeRecipients, xoauth2Refusal,
  type Classified, type LocalReason, type RecipientOutcome,
} from "../config/replies.js";
import { ConfigError } from "../config/errors.js";
import type { PresetName } from "../config/board.js";
import { MimeError } from "../core/mime.js";
import { ScanError } from "../scan/types.js";
import { TransportError, type TlsInfo } from "../transport/types.js";
import { hasText, say } from "../text/outcomes.js";
import { cleanServerText, detailSentence as asSentence } from "../text/sanitize.js";
import type { BodyModeName } from "./message.js";
import type { SessionResult } from "./types.js";

export interface CoreFailure {
  code: number; enhanced: string; text: string; cls: number;
  /** Reason* name without the prefix ("TlsNotOffered"), or a host reason ("NoToken"). */
  reason: string;
  /** The core state it failed in ("Greeting", "Auth", "Envelope", "BodyEnd" …). */
  stage: string;
  /** The command whose reply failed it, as on the wire ("AUTH", "MAIL FROM", "DATA", "." …);
   *  "" for the greeting or a failure outside any reply. */
  command: string;
  /** The token source failed (an OAuthError, host/oauth/errors.ts): its code, whether retrying
   *  later can help without anyone acting, and its panel sentence. */
  token?: { code: string; transient: boolean; panel: string };
}

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
}

/** Cmd* names of the core (evCommand) → the command as it appears on the wire. */
const VERBS: Record<string, string> = {
  Ehlo: "EHLO", Helo: "HELO", StartTls: "STARTTLS", Auth: "AUTH", Mail: "MAIL FROM", Rcpt: "RCPT TO",
  Data: "DATA", DataEnd: ".", Bdat: "BDAT", BdatLast: "BDAT LAST", Rset: "RSET", Quit: "QUIT",
};
/** "" for the greeting (no command) and for no command at all. */
export function commandVerb(cmdName: string): string {
  return VERBS[cmdName] ?? "";
}

const LOCAL_REASONS = new Set<string>([
  "TlsNotOffered", "TlsInjection", "LineTooLong", "BadReply", "NoAuthMechanism",
  "PlaintextAuthRefused", "SizeExceeded", "BodyModeUnsupported", "BadArgument", "BadState",
  "ReplyTooLong", "UnexpectedReply",
]);
/** Protocol errors of the server: classified by the reason even when the reply had a 4xx/5xx
 *  code (a 550 that came before its command was sent refused nothing). */
const PROTOCOL_REASONS = new Set<string>(["UnexpectedReply", "ReplyTooLong", "LineTooLong", "BadReply"]);


/** The server's reply, quoted, as one sentence for the message's detail. */
function replySaid(code: number, enhanced: string, text: string): string {
  const t = cleanServerText(`${code} ${enhanced} ${text}`).replace(/\s+/g, " ").trim();
  return `The server said "${t}".`;
}

function stageOf(state: string): "greeting" | "ehlo" | "starttls" | "auth" | "mail" | "rcpt" | "data" | undefined {
  switch (state) {
    case "Greeting": return "greeting";
    case "Ehlo": case "Helo": return "ehlo";
    case "StartTls": case "TlsHandshake": return "starttls";
    case "NeedToken": case "Auth": return "auth";
    case "Envelope": return "mail";
    case "Body": case "BodyEnd": return "data";
    default: return undefined;
  }
}

/** A refused recipient's classification, as the outbox needs it (fix-config holds the job). */
const refusal = (c: Classified): { id: string; action: Classified["action"] } => ({ id: c.id, action: c.action });


function classifyFailure(st: AttemptState): { c: Classified; detail: string } {
  const f = st.failure!;
  const preset = st.preset;
  if (f.reason === "AllRecipientsRejected" || f.reason === "RecipientRejected") {
    const r = st.recipients.find((x) => x.code >= 400);
    if (r) return { c: classifyReply({ code: r.code, enhanced: r.enhanced, text: r.text }, { preset, stage: "rcpt" }), detail: `${r.address}: ${replySaid(r.code, r.enhanced, r.text)}` };
  }
  if (PROTOCOL_REASONS.has(f.reason)) {
    // The core's own words ("the server answered out of order: reply 250 does not fit DATA"),
    // without repeating what the catalogue sentence already says.
    return { c: classifyLocal(f.reason as LocalReason), detail: asSentence(f.text.replace(/^the server answered out of order: /, "")) };
  }
  if (f.code >= 400) {
    const c = classifyReply({ code: f.code, enhanced: f.enhanced, text: f.text }, { preset, stage: stageOf(f.stage) });
    return { c: st.xoauth2 ? xoauth2Refusal(c) : c, detail: replySaid(f.code, f.enhanced, f.text) };
  }
  if (LOCAL_REASONS.has(f.reason)) return { c: classifyLocal(f.reason as LocalReason), detail: asSentence(f.text) };
  if (f.reason === "NoToken" && f.token) {
    // An unreachable or failing identity platform is retried later like a network error; a
    // revoked sign-in or a bad app registration needs a person.
    const t = f.token;
    return {
      c: { class: t.transient ? "transient" : "permanent", code: 0, enhanced: "", id: t.code, action: t.transient ? "retry" : "fix-config",
        userMessage: say(hasText(t.code) ? t.code : "OAUTH_FAILED"),
        adminHint: t.transient
          ? "The identity platform could not be reached or failed for now; the outbox retries later. Check the device's network and DNS if it persists."
          : t.code === "OAUTH_CLIENT_INVALID"
            // invalid_client / unauthorized_client: the app registration, not the mailbox's sign-in.
            ? "The identity platform refused the app registration: check the tenant, the client id and, for app-only sign-in, the client secret (--client-secret-env)."
            : "The XOAUTH2 sign-in cannot be used any more: run mfp-mail login (or sign in on the device panel) for this mailbox." },
      detail: asSentence(f.text),
    };
  }
  if (f.reason === "NoToken") {
    return { c: { class: "permanent", code: 0, enhanced: "", id: "NO_TOKEN", action: "fix-config", userMessage: say("NO_TOKEN"), adminHint: "XOAUTH2 needs a token: run mfp-mail login first." }, detail: asSentence(f.text) };
  }
  // A reason without a row of its own: never a positive reply code in a failure ("Not sent: ok").
  const transient = f.cls === 1;
  return {
    c: { class: transient ? "transient" : "permanent", code: f.code >= 400 ? f.code : 0, enhanced: f.code >= 400 ? f.enhanced : "",
      id: `CORE_${f.reason.toUpperCase()}`, action: transient ? "retry" : "none", userMessage: say("CORE_FAILURE"), adminHint: cleanServerText(f.text) },
    detail: asSentence(f.text),
  };
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
  if (st.partsAccepted > 0 && st.partsAccepted === st.partsTotal && !st.mimeError) {
    const outcomes: RecipientOutcome[] = st.recipients.map((r) => ({
      address: r.address,
      result: classifyReply({ code: r.code || 250, enhanced: r.enhanced, text: r.text }, { preset: st.preset, stage: "rcpt" }),
    }));
    const sum = summarizeRecipients(outcomes);
    const all = sum.accepted === st.recipients.length;
    return {
      status: all ? "sent" : "partial",
      code: st.lastAccept?.code ?? 250, enhanced: st.lastAccept?.enhanced ?? "",
      message: st.partsTotal > 1 ? say("PARTS", { text: sum.userMessage, n: st.partsTotal }) : sum.userMessage,
      userMessage: sum.userMessage,
      recipients: st.recipients.map((r, i) => ({
        address: r.address, accepted: outcomes[i]!.result.class === "ok", code: r.code || 250,
        ...(r.enhanced ? { enhanced: r.enhanced } : {}), ...(r.code >= 400 ? { message: cleanServerText(r.text), ...refusal(outcomes[i]!.result) } : {}),
      })),
      messageAccepted: true, transient: sum.retry.length > 0, id: sum.id, action: sum.action,
      ...(sum.adminHint ? { adminHint: sum.adminHint } : {}), ...common,
    };
  }
  let c: Classified;
  let detail: string;
  let configError = false;
  if (st.mimeError) {
    const e = st.mimeError;
    configError = e instanceof MimeError || e instanceof ScanError || e instanceof ConfigError || e.name === "SessionConfigError";
    const id = (e as { code?: string }).code ?? (configError ? "CONFIG" : "INTERNAL_ERROR");
    c = { class: "permanent", code: 0, enhanced: "", id, action: configError ? "fix-config" : "none",
      userMessage: say(configError ? "CONFIG" : "INTERNAL_ERROR"), adminHint: e.message };
    detail = asSentence(e.message);
  } else if (st.failure) {
    ({ c, detail } = classifyFailure(st));
  } else if (st.transportError) {
    c = classifyTransport(st.transportError);
    detail = asSentence(st.transportError.message);
    // A server name that does not exist is a setting to fix, not a server's answer (exit 2).
    configError = st.transportError.code === "DNS_FAILURE" && !st.transportError.transient;
  } else {
    c = { class: "transient", code: 0, enhanced: "", id: "SESSION_ENDED", action: "retry", userMessage: say("SESSION_ENDED"),
      adminHint: "The session ended before the server accepted the message." };
    detail = "";
  }
  const transient = c.class === "transient";
  const partial = st.partsAccepted > 0 ? say("PARTS_DELIVERED", { sent: st.partsAccepted, total: st.partsTotal }) : "";
  return {
    // Nothing was stored here: only the outbox, once the job is on durable storage, says "queued".
    status: transient ? "not-sent-transient" : "failed",
    code: c.code, enhanced: c.enhanced,
    // One sentence for what happened, then the detail (the server's reply or the local reason).
    message: [c.userMessage, detail, partial].filter(Boolean).join(" "),
    userMessage: c.userMessage,
    recipients: st.recipients.map((r) => ({
      address: r.address, accepted: false, code: r.code >= 400 ? r.code : c.code,
      ...(r.code >= 400 && r.enhanced ? { enhanced: r.enhanced } : {}),
      ...(r.code >= 400 ? refusal(classifyReply({ code: r.code, enhanced: r.enhanced, text: r.text }, { preset: st.preset, stage: "rcpt" })) : {}),
    })),
    messageAccepted: false, transient, id: c.id, action: c.action, adminHint: c.adminHint, ...failedAt(st),
    ...(c.accountBackoffMs ? { accountBackoffMs: c.accountBackoffMs } : {}),
    ...(configError ? { configError: true } : {}), ...common,
  };
}

/** A failure before the connection was opened (bad settings, missing file, core not loadable). */
export function errorResult(e: unknown, total: { wire: number; trips: number }, addresses: string[] = []): SessionResult {
  const st: AttemptState = {
    recipients: addresses.map((address) => ({ address, code: 0, enhanced: "", text: "" })), partsAccepted: 0, partsTotal: 1, failure: null, lastAccept: null, authRejected: false,
    transportError: e instanceof TransportError ? e : null,
    mimeError: e instanceof TransportError ? null : e instanceof Error ? e : new Error(String(e)),
    bodyMode: undefined, tls: null, wireBytes: total.wire, roundTrips: total.trips,
  };
  return composeResult(st);
}
