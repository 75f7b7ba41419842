// `mfp-mail send` through the outbox: the message (scans, or text only) is made durable first,
// then delivered at once. If that first attempt fails transiently the job stays queued for
// `mfp-mail daemon` (status "queued"); a failure a person must fix holds it; a 5xx refusal ends
// it with a report. The first attempt uses the credentials the CLI
// already holds in memory; the job file records only where a later retry finds them again
// (the --password-env variable name, or the XOAUTH2 sign-in in the outbox directory).
import { sendMessage } from "../session/driver.js";
import { say } from "../text/outcomes.js";
import type { SessionOptions, SessionResult } from "../session/types.js";
import type { AttemptOutcome, Outbox } from "./index.js";
import { pendingRecipients, type JobConnection, type JobMessage } from "./session-deliver.js";
import type { AppOnlySettings } from "../oauth/app-only.js";
import { M365_SUBMISSION_LIMITS, type Deliver, type JobRecord, type JobState, type Json, type RateLimits } from "./types.js";

export interface QueuedSendOptions {
  outbox: Outbox;
  /** Exactly what sendMessage() would get (host/commands/send-options.ts prepareSend). */
  session: SessionOptions;
  /** For retries by the daemon: the environment variable holding the password (plain/login). */
  passwordEnv?: string;
  /** For retries: client certificate and key as file paths (key bytes never enter the queue). */
  clientCertFile?: string;
  clientKeyFile?: string;
  /** App-only XOAUTH2 settings (never the secret) so the daemon can get a fresh token on retry. */
  appOnly?: AppOnlySettings;
  /** Preset name; m365-submission applies Microsoft's 30 messages/min, 10,000 recipients/day. */
  preset?: string;
  limits?: RateLimits;
}

export interface QueuedSendResult {
  jobId: string;
  outcome: AttemptOutcome;
  /** Where the job stands after this attempt: still on the device ("queued" / "held"), or null when it ended. */
  jobState: JobState | null;
  /**
   * The session's result of the attempt just made, its transient status turned into "queued"
   * because the job is stored; a synthetic one when no attempt was made (rate limit, held).
   */
  result: SessionResult;
}

/** The job's state after an outcome: null once the job has left the outbox. */
function stateAfter(outcome: AttemptOutcome): JobState | null {
  switch (outcome.kind) {
    case "retry": case "deferred": case "busy": return "queued";
    case "held": return "held";
    default: return null;
  }
}

/** A result for an outcome without a session attempt (rate-limit wait, held at once, quarantined). */
function noAttemptResult(outcome: AttemptOutcome, job: JobRecord): SessionResult {
  const queued = stateAfter(outcome) === "queued";
  const message =
    outcome.kind === "deferred" ? say("OUTBOX_DEFERRED", { why: outcome.why, at: new Date(outcome.at).toISOString() })
      : outcome.kind === "held" ? outcome.reason
        : outcome.kind === "gone" ? say("OUTBOX_JOB_GONE", { why: outcome.why })
          : say("OUTBOX_QUEUED", { job: job.id });
  return {
    status: queued ? "queued" : "failed", code: 0, enhanced: "", message,
    recipients: job.recipients.map((r) => ({ address: r.address, accepted: false, code: 0 })),
    wireBytes: 0, roundTrips: 0, messageAccepted: false, transient: queued,
    id: outcome.kind === "held" ? outcome.job.held?.id ?? "OUTBOX_HELD" : queued ? "QUEUED" : "OUTBOX_JOB_GONE",
    parts: { sent: 0, total: 1 },
  };
}

function jobConnection(o: QueuedSendOptions): JobConnection {
  const s = o.session.server;
  const t = s.tlsOptions ?? {};
  const ca = t.ca === undefined ? undefined : typeof t.ca === "string" ? t.ca : Buffer.from(t.ca).toString("utf8");
  return {
    host: s.host,
    port: s.port,
    tls: s.tls,
    ...(s.requireTls !== undefined ? { requireTls: s.requireTls } : {}),
    ...(s.engine ? { engine: s.engine } : {}),
    ...(s.clientName ? { clientName: s.clientName } : {}),
    ...(s.timeouts ? { timeouts: s.timeouts as Record<string, number> } : {}),
    tlsOptions: {
      ...(t.servername ? { servername: t.servername } : {}),
      ...(t.minVersion ? { minVersion: t.minVersion } : {}),
      ...(t.insecureSkipVerify ? { insecureSkipVerify: true } : {}),
      ...(ca ? { ca } : {}),
    },
    ...(o.clientCertFile ? { clientCertFile: o.clientCertFile, clientKeyFile: o.clientKeyFile } : {}),
    auth: o.session.auth?.mechanism ?? "none",
    ...(o.session.auth?.user ? { user: o.session.auth.user } : {}),
    ...(o.passwordEnv ? { passwordEnv: o.passwordEnv } : {}),
    ...(o.session.auth?.allowPlaintextAuth ? { allowPlaintextAuth: true } : {}),
    ...(o.session.binaryMime !== undefined ? { binaryMime: o.session.binaryMime } : {}),
    ...(o.session.dsn !== undefined ? { dsn: o.session.dsn } : {}),
    ...(o.session.preset ? { preset: o.session.preset } : {}),
    ...(o.appOnly ? { appOnly: o.appOnly } : {}),
    ...(s.mx ? { mx: s.mx } : {}),
  };
}

/** Enqueue the message, then try it once now. Throws OutboxError (STORAGE_FULL …) when it cannot be queued. */
export async function sendViaOutbox(o: QueuedSendOptions): Promise<QueuedSendResult> {
  const m = o.session.message;
  const message: JobMessage = { to: m.to, ...(m.cc?.length ? { cc: m.cc } : {}), subject: m.subject, text: m.text };
  const job = await o.outbox.enqueue({
    from: m.from,
    recipients: [...m.to, ...(m.cc ?? [])],
    account: o.session.auth?.user ?? m.from,
    limits: o.limits ?? (o.preset === "m365-submission" ? M365_SUBMISSION_LIMITS : {}),
    message: message as unknown as Json,
    connection: jobConnection(o) as unknown as Json,
    scans: m.attachments,
  });
  let last: SessionResult | null = null;
  const deliver: Deliver = async (req) => {
    const { to, cc } = pendingRecipients(message, req.recipients);
    const user = o.session.observer;
    last = await sendMessage({
      ...o.session,
      // The job is on durable storage: a transient failure is retried, and the sentence may say so.
      stored: true,
      message: { ...m, to, cc, attachments: req.scans },
      signal: req.signal,
      observer: {
        connect: (h, p) => (req.observer.connect(h, p), user?.connect?.(h, p)),
        command: (t) => (req.observer.command(t), user?.command?.(t)),
        reply: (c, e, t) => (req.observer.reply(c, e, t), user?.reply?.(c, e, t)),
        tls: (i) => (req.observer.tls(i), user?.tls?.(i)),
        body: (b) => (req.observer.body(b), user?.body?.(b)),
      },
    });
    return last;
  };
  const ac = new AbortController();
  const onAbort = () => ac.abort();
  o.session.signal?.addEventListener("abort", onAbort, { once: true });
  let outcome: AttemptOutcome;
  try {
    outcome = await o.outbox.deliverNow(job.id, deliver, ac.signal);
  } finally {
    o.session.signal?.removeEventListener("abort", onAbort);
  }
  const jobState = stateAfter(outcome);
  const attempted = last as SessionResult | null;
  let result = attempted ?? noAttemptResult(outcome, job);
  // The job is on durable storage: a transient failure is "queued" now, not "not-sent-transient".
  if (jobState !== null && result.status === "not-sent-transient") result = { ...result, status: "queued" };
  return { jobId: job.id, outcome, jobState, result };
}
