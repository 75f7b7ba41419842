// The one reply pipeline: whatever ended a session attempt — a core Failed event (a server reply or
// the core's own refusal), a refused recipient, a token that could not be had, a transport error,
// a local error before the connection — becomes one Classified, by the tables of host/config/
// (replies.ts, m365-replies.ts). Session results (result.ts) are built from it; doctor reads the
// probe's result and the panel the session's result, so neither classifies anything itself.
import {
  classifyLocal, classifyReply, classifyTransport, isLocalReason, told, xoauth2Refusal,
  type Classified, type ReplyContext,
} from "../config/replies.js";
import { ConfigError } from "../config/errors.js";
import { MimeError } from "../core/mime.js";
import { ScanError } from "../scan/types.js";
import type { TransportError } from "../transport/types.js";
import { hasText, sayNow } from "../text/outcomes.js";
import { cleanServerText, detailSentence } from "../text/sanitize.js";

/** A core Failed event (or a host failure in its place), as the driver records it. */
export interface CoreFailure {
  code: number; enhanced: string; text: string; cls: number;
  /** Reason* name without the prefix ("TlsNotOffered"), or a host reason ("NoToken"). */
  reason: string;
  /** The core state it failed in ("Greeting", "Auth", "Envelope", "BodyEnd" …), carried by the
   *  event itself: the core is in Failed by the time the host reads it. */
  stage: string;
  /** The command whose reply failed it, as on the wire ("AUTH", "MAIL FROM", "DATA", "." …);
   *  "" for the greeting or a failure outside any reply. */
  command: string;
  /** The token source failed (an OAuthError, host/oauth/errors.ts): its code, whether retrying
   *  later can help without anyone acting, and its panel sentence. */
  token?: { code: string; transient: boolean; panel: string };
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

/** Protocol errors of the server: classified by the reason even when the reply had a 4xx/5xx
 *  code (a 550 that came before its command was sent refused nothing; RFC 2920 §3.1). */
const PROTOCOL_REASONS = new Set(["UnexpectedReply", "ReplyTooLong", "LineTooLong", "BadReply"]);

export interface FailureContext extends ReplyContext {
  /** AUTH was XOAUTH2: a refused sign-in means a token to renew, not a password to check. */
  xoauth2?: boolean;
}

/** A token source that failed: an unreachable identity platform is retried later like a network
 *  error; a revoked sign-in or a bad app registration needs a person. */
function tokenFailure(t: NonNullable<CoreFailure["token"]>): Classified {
  return {
    class: t.transient ? "transient" : "permanent", code: 0, enhanced: "", id: t.code, action: t.transient ? "retry" : "fix-config",
    ...told(hasText(t.code) ? t.code : "OAUTH_FAILED"),
    adminHint: t.transient
      ? "The identity platform could not be reached or failed for now; the outbox retries later. Check the device's network and DNS if it persists."
      : t.code === "OAUTH_CLIENT_INVALID"
        // invalid_client / unauthorized_client: the app registration, not the mailbox's sign-in.
        ? "The identity platform refused the app registration: check the tenant, the client id and, for app-only sign-in, the client secret (--client-secret-env)."
        : "The XOAUTH2 sign-in cannot be used any more: run mfp-mail login (or sign in on the device panel) for this mailbox.",
  };
}

/** One core failure → its classification: a protocol error by its reason, a reply by the reply,
 *  else the core's local reason or the host's. */
export function classifyCoreFailure(f: Pick<CoreFailure, "code" | "enhanced" | "text" | "reason"> & Partial<Pick<CoreFailure, "cls" | "token">>, ctx: FailureContext = {}): Classified {
  if (PROTOCOL_REASONS.has(f.reason) && isLocalReason(f.reason)) return classifyLocal(f.reason);
  if (f.code >= 400) {
    const c = classifyReply({ code: f.code, enhanced: f.enhanced, text: f.text }, ctx);
    return ctx.xoauth2 ? xoauth2Refusal(c) : c;
  }
  if (isLocalReason(f.reason)) return classifyLocal(f.reason);
  if (f.reason === "NoToken") {
    if (f.token) return tokenFailure(f.token);
    return { class: "permanent", code: 0, enhanced: "", id: "NO_TOKEN", action: "fix-config", ...told("NO_TOKEN"), adminHint: "XOAUTH2 needs a token: run mfp-mail login first." };
  }
  // A reason the core names without a reply code: the reply it stands for (RFC 5321 §4.2.3).
  if (f.reason === "ServerClosing") return classifyReply({ code: 421, text: f.text }, ctx);
  if (f.reason === "AuthFailed") return classifyCoreFailure({ ...f, code: 535 }, ctx);
  if (f.reason === "GreetingRefused") return classifyReply({ code: 554, text: f.text }, ctx);
  // A reason without a row of its own: never a positive reply code in a failure ("Not sent: ok").
  const transient = f.cls === 1;
  return {
    class: transient ? "transient" : "permanent", code: 0, enhanced: "",
    id: `CORE_${f.reason.toUpperCase()}`, action: transient ? "retry" : "none", ...told("CORE_FAILURE"),
    adminHint: `The core reported ${f.reason}${f.text ? `: ${cleanServerText(f.text)}` : ""}.`,
  };
}

/** What a session attempt saw, as far as the outcome goes (the driver's AttemptState). */
export interface AttemptFailure {
  recipients: readonly { address: string; code: number; enhanced: string; text: string }[];
  failure: CoreFailure | null;
  transportError: TransportError | null;
  mimeError: Error | null;
  preset?: ReplyContext["preset"];
  xoauth2?: boolean;
}

export interface FailureVerdict {
  c: Classified;
  /** The detail after the sentence: the server's reply quoted, or the local reason. */
  detail: string;
  /** A setting to fix before anything can work (CLI exit 2). */
  configError: boolean;
}

/** The server's reply, quoted, as one sentence for the message's detail. */
export function replySaid(code: number, enhanced: string, text: string): string {
  const t = cleanServerText(`${code} ${enhanced} ${text}`).replace(/\s+/g, " ").trim();
  return `The server said "${t}".`;
}

/** Why an attempt that delivered nothing failed. */
export function classifyAttempt(st: AttemptFailure): FailureVerdict {
  const ctx: FailureContext = { ...(st.preset ? { preset: st.preset } : {}), xoauth2: st.xoauth2 };
  if (st.mimeError) {
    const e = st.mimeError;
    const configError = e instanceof MimeError || e instanceof ScanError || e instanceof ConfigError || e.name === "SessionConfigError";
    const id = (e as { code?: string }).code ?? (configError ? "CONFIG" : "INTERNAL_ERROR");
    return {
      c: { class: "permanent", code: 0, enhanced: "", id, action: configError ? "fix-config" : "none", ...told(configError ? "CONFIG" : "INTERNAL_ERROR"), adminHint: e.message },
      detail: detailSentence(e.message), configError,
    };
  }
  const f = st.failure;
  if (f) {
    if (f.reason === "AllRecipientsRejected" || f.reason === "RecipientRejected") {
      const r = st.recipients.find((x) => x.code >= 400);
      if (r) return { c: classifyReply({ code: r.code, enhanced: r.enhanced, text: r.text }, ctx), detail: `${r.address}: ${replySaid(r.code, r.enhanced, r.text)}`, configError: false };
    }
    const c = classifyCoreFailure(f, ctx);
    // The core's own words ("the server answered out of order: reply 250 does not fit DATA"),
    // without repeating what the catalogue sentence already says.
    const detail = PROTOCOL_REASONS.has(f.reason) ? detailSentence(f.text.replace(/^the server answered out of order: /, ""))
      : f.code >= 400 ? replySaid(f.code, f.enhanced, f.text) : detailSentence(f.text);
    return { c, detail, configError: false };
  }
  if (st.transportError) {
    const e = st.transportError;
    // A server name that does not exist is a setting to fix, not a server's answer (exit 2).
    return { c: classifyTransport(e), detail: detailSentence(e.message), configError: e.code === "DNS_FAILURE" && !e.transient };
  }
  return {
    c: { class: "transient", code: 0, enhanced: "", id: "SESSION_ENDED", action: "retry", ...told("SESSION_ENDED"), adminHint: "The session ended before the server accepted the message." },
    detail: "", configError: false,
  };
}

/** A refused recipient's classification, as the outbox needs it (fix-config holds the job). */
export function classifyRecipient(r: { code: number; enhanced: string; text: string }, ctx: ReplyContext): Classified {
  return classifyReply({ code: r.code, enhanced: r.enhanced, text: r.text }, ctx);
}

/**
 * The classification's sentence for the final status. With nothing stored ("not-sent-transient":
 * `send --no-queue`, an outbox that could not take the scan) the device will not retry, so the
 * sentence must not promise it: the catalogue's ":now" variant of the same cause.
 */
export function sentenceFor(c: Classified, nothingStored: boolean): string {
  return nothingStored && c.class === "transient" ? sayNow(c.text.key, c.text.values) : c.userMessage;
}
