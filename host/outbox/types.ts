// The outbox's data model: a job (scan files + envelope + message options + attempt history), the
// result one delivery attempt reports, and the errors a person can act on.
import type { ScanSource } from "../scan/types.js";
import type { TlsInfo } from "../transport/types.js";

/** JSON the job file can hold verbatim. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One attachment the outbox owns: a file inside the job's directory. */
export interface JobScan {
  /** File name inside the job directory ("scan-0"). */
  file: string;
  fileName: string;
  mimeType: string;
  size: number;
  /** Hex SHA-256 of the bytes, checked before every attempt: a damaged scan is never sent. */
  sha256: string;
  pageEnds?: number[];
}

export type RecipientState = "pending" | "delivered" | "failed";

export interface JobRecipient {
  address: string;
  state: RecipientState;
  code?: number;
  enhanced?: string;
  message?: string;
}

export interface AttemptRecord {
  no: number;
  startedAt: number;
  endedAt: number;
  status: DeliveryStatus | "error";
  code: number;
  enhanced: string;
  message: string;
  /** Addresses tried in this attempt (only the still-pending ones). */
  tried: string[];
}

/** Per-account sending limits (Microsoft 365 submission: 30 messages/min, 10,000 recipients/day). */
export interface RateLimits {
  messagesPerMinute?: number;
  recipientsPerDay?: number;
}

/** Microsoft 365 SMTP AUTH submission limits per mailbox (docs/m365.md). */
export const M365_SUBMISSION_LIMITS: RateLimits = { messagesPerMinute: 30, recipientsPerDay: 10000 };

/**
 * "queued": the daemon tries it when due. "held": a person must act — the retention time ran out
 * (giveUpAfter) or the failure needs a settings/account fix; the scan stays on the device, the
 * job is never tried automatically, `queue retry-now` releases it, `queue cancel` removes it.
 */
export type JobState = "queued" | "held";

/** Why a job is held. */
export type HoldCause =
  | "expired"    // still failing when the board's giveUpAfter passed (time decides, not attempts)
  | "fix-config" // the classification says a person must fix settings or the account (535, 5.7.60, TLS …)
  | "unsendable"; // a permanent failure without any server refusal (local limit, internal error)

export interface HoldRecord {
  cause: HoldCause;
  /** Stable id of the outcome that held it (AUTH_FAILED, TLS_CERT_UNTRUSTED, OUTBOX_RETENTION_EXPIRED …). */
  id: string;
  /** One sentence for the panel and `mfp-mail queue`. */
  reason: string;
  at: number;
}

export interface JobRecord {
  version: 1;
  id: string;
  createdAt: number;
  /** Rate-limit key: the mailbox that authenticates (or the From address without AUTH). */
  account: string;
  limits: RateLimits;
  /** Reverse-path (MAIL FROM). */
  from: string;
  recipients: JobRecipient[];
  /** Message options (subject, body text, headers …) as the sender gave them; never secrets. */
  message: Json;
  /** Connection settings (server, port, TLS mode, auth mechanism, user, where the secret lives); never secrets. */
  connection: Json;
  scans: JobScan[];
  attempts: AttemptRecord[];
  /** Total attempts made (attempts[] keeps only the newest few). */
  attemptCount: number;
  /** Earliest time of the next attempt (ms since epoch). */
  nextAttemptAt: number;
  /** Jobs written before states existed have none on disk; reading fills in "queued". */
  state: JobState;
  held?: HoldRecord;
  /** When the first attempt started (attempts[] keeps only the newest few). */
  firstAttemptAt?: number;
  /**
   * The retention window: giveUpAfter counts from here (the enqueue, or the last retry-now of a
   * held job), and the backoff is paced by the attempts made since.
   */
  windowStartedAt: number;
  windowAttempts: number;
}

/** The session's status words (host/session/types.ts SessionStatus). */
export type DeliveryStatus = "sent" | "partial" | "queued" | "not-sent-transient" | "failed";

/** What the classification says to do next (host/config/replies.ts NextAction). */
export type DeliveryAction = "none" | "retry" | "split" | "fix-config";

/** What one session reports (C2's host/session/driver.ts result shape). */
export interface DeliveryResult {
  status: DeliveryStatus;
  code: number;
  enhanced: string;
  message: string;
  recipients: { address: string; accepted: boolean; code: number; enhanced?: string; message?: string; action?: DeliveryAction; id?: string }[];
  wireBytes?: number;
  roundTrips?: number;
  /**
   * True only when the server's final 250 to the message (after the DATA dot or BDAT LAST) was
   * read. Optional: when absent, status "sent"/"partial" means the same thing.
   */
  messageAccepted?: boolean;
  /** Transient or permanent, when the session knows (from host/config/replies.ts). */
  transient?: boolean;
  /** The classification's next action: "fix-config" holds the job for a person instead of ending it. */
  action?: DeliveryAction;
  /** Stable id of the outcome (host/config/replies.ts row, or a local code). */
  id?: string;
  /** The server told the whole account to wait (Classified.accountBackoffMs): no job of it is
   *  attempted before this many ms have passed, and this attempt settles no recipient. */
  accountBackoffMs?: number;
}

/**
 * Everything the transcript may record about an attempt (host/log/transcript.ts implements it).
 * Command text is the core's CommandSent text, already redacted; there is deliberately no method
 * that takes body bytes, credentials or free text.
 */
export interface SessionObserver {
  connect(host: string, port: number): void;
  command(text: string): void;
  reply(code: number, enhanced: string, text: string): void;
  tls(info: TlsInfo): void;
  /** Body bytes written so far (a count only). */
  body(bytes: number): void;
}

/** What a delivery function gets: the job's settings, the still-pending recipients, the scans. */
export interface DeliveryRequest {
  jobId: string;
  attempt: number;
  from: string;
  recipients: string[];
  message: Json;
  connection: Json;
  scans: ScanSource[];
  observer: SessionObserver;
  signal: AbortSignal;
}

/** One SMTP session for one job: C2's session wrapped, or a test double. Never throws for SMTP failures. */
export type Deliver = (request: DeliveryRequest) => Promise<DeliveryResult>;

export type OutboxErrorCode =
  | "STORAGE_FULL"      // ENOSPC / EDQUOT while writing a new job
  | "OUTBOX_FULL"       // the board's maxMessages / maxBytes reached
  | "OUTBOX_UNWRITABLE" // permissions, read-only file system, …
  | "JOB_NOT_FOUND"
  | "JOB_BUSY"          // another process is delivering this job now
  | "SECRET_IN_JOB"     // a password/token was passed where only settings belong
  | "BAD_JOB";          // enqueue input that cannot be a job

export class OutboxError extends Error {
  constructor(readonly code: OutboxErrorCode, message: string) {
    super(message);
    this.name = "OutboxError";
  }
}

