// The session's public shapes: what a caller configures, what it is told while the scan goes
// out, and the one result it gets back. The result shape is the CLI's --json contract (docs/cli.md)
// and the outbox's DeliveryResult (host/outbox/types.ts).
import type { Board, PresetName } from "../config/board.js";
import type { ScanSource } from "../scan/types.js";
import type { EngineName } from "../transport/connect.js";
import type { TlsMode } from "../transport/tls-mode.js";
import type { SmtpTimeouts } from "../transport/timeouts.js";
import type { TlsInfo, TlsOptions, Transport, TransportError } from "../transport/types.js";

export type AuthChoice = "none" | "plain" | "login" | "xoauth2";

/** XOAUTH2 tokens (host/oauth/provider.ts implements it). */
export interface TokenProvider {
  getAccessToken(): Promise<string>;
  /** The server refused the last token: drop it so the next call refreshes. */
  invalidate(): void;
}

/** Receives every redacted command and reply and the TLS parameters (host/log plugs in here). */
export interface SessionObserver {
  connect?(host: string, port: number): void;
  command?(text: string): void;
  reply?(code: number, enhanced: string, text: string): void;
  tls?(info: TlsInfo): void;
  /** Body bytes written so far (a count only, never content). */
  body?(bytes: number): void;
}

/** The phases while a session works, then the outcome its caller reports last
 *  (host/text/outcomes.ts outcomeLine: never "Done" for a failure). */
export type Phase = "Connecting" | "Securing" | "Signing in" | "Sending"
  | "Sent" | "Partly sent" | "Held" | "Will retry" | "Not sent";

export interface Progress {
  phase: Phase;
  /** Panel line: "Connecting", "Sending page 3 of 12", … and last the outcome ("Sent", "Will retry" …). */
  text: string;
  bytesSent: number;
  bytesTotal: number;
  /** Scan page being sent (1-based) and page count, when the scan knows its pages. */
  page?: number;
  pages?: number;
  /** Message n of N when the scan is split. */
  message?: number;
  messages?: number;
}

export interface ServerOptions {
  host: string;
  port: number;
  tls: TlsMode;
  /** STARTTLS must succeed (never a silent downgrade); implied for implicit TLS. */
  requireTls?: boolean;
  /** ca, client cert/key, insecureSkipVerify, servername (defaults to host), minVersion. */
  tlsOptions?: Partial<TlsOptions>;
  engine?: EngineName;
  timeouts?: Partial<SmtpTimeouts>;
  /** EHLO name: the device's FQDN or an address literal (RFC 5321 §4.1.1.1). */
  clientName?: string;
  /** Send to the MX hosts of this domain (Direct Send, relay); `host` is then only a label. */
  mx?: { domain: string; dnsServers?: string[] };
}

export interface AuthOptions {
  mechanism: AuthChoice;
  user?: string;
  password?: string;
  tokenProvider?: TokenProvider;
  /** Send credentials without TLS (lab only; the CLI warns loudly). */
  allowPlaintextAuth?: boolean;
}

export interface MessageOptions {
  from: string;
  to: string[];
  cc?: string[];
  subject: string;
  text: string;
  attachments: ScanSource[];
  /** Fixed Date / Message-ID (tests); default now / random. */
  date?: Date;
  messageId?: string;
}

export interface SessionOptions {
  server: ServerOptions;
  auth?: AuthOptions;
  message: MessageOptions;
  /** Core buffer sizes, split threshold, pipelining, BINARYMIME switch, TLS floor. */
  board: Board;
  /** The preset the settings came from: replies are classified in its context (a 5.7.54 under
   *  m365-direct-send means "Direct Send reaches only internal recipients", not under m365-relay). */
  preset?: PresetName;
  /** Override the board: false = never BDAT/BINARYMIME even when offered. */
  binaryMime?: boolean;
  /** BDAT (RFC 3030 CHUNKING): unset = only to carry BINARYMIME; true = also plain CHUNKING
   *  (base64 in chunks); false = never, always DATA — for servers with a broken BDAT. */
  chunking?: boolean;
  /** Override the board's smtp.dsn: ask for delivery status notifications (RFC 3461) or not. */
  dsn?: boolean;
  onProgress?(p: Progress): void;
  observer?: SessionObserver;
  signal?: AbortSignal;
  /** The message is on durable storage (the outbox) and a transient failure will be retried:
   *  only then does the result's sentence promise it. Unset: nothing is stored, and the sentence
   *  says the same cause without the promise (the catalogue's ":now" variant). */
  stored?: boolean;
  /** Stop at the core's ReadyForEnvelope and QUIT: never MAIL (probeSession(), doctor). */
  probe?: boolean;
  /** Tests: open the connection yourself (a proxy, a fault injector). */
  openTransport?(): Promise<Transport>;
}

/**
 * "sent" / "partial": the server's final 250 was read. "queued": a transient failure and the job
 * is on durable storage (only the outbox path says this; a bare sendMessage() never does).
 * "not-sent-transient": a transient failure with nothing stored. "failed": a permanent refusal
 * or a configuration error.
 */
export type SessionStatus = "sent" | "partial" | "queued" | "not-sent-transient" | "failed";

/** What the classification says to do next (host/config/replies.ts NextAction). */
export type SessionAction = "none" | "retry" | "split" | "fix-config";

export interface RecipientResult {
  address: string;
  accepted: boolean;
  code: number;
  enhanced?: string;
  message?: string;
  /** For a refused recipient: its classification's id and next action ("fix-config" holds the job). */
  id?: string;
  action?: SessionAction;
}

export interface SessionResult {
  status: SessionStatus;
  code: number;
  enhanced: string;
  /** One plain-words line (the panel message, lines joined). */
  message: string;
  /** The panel message alone: the outcome's one sentence from the catalogue, without the server detail. */
  userMessage?: string;
  recipients: RecipientResult[];
  wireBytes: number;
  roundTrips: number;
  /** The server's final 250 to every message part was read. */
  messageAccepted: boolean;
  /** Failure worth retrying later (4xx, network); false for permanent and config failures. */
  transient: boolean;
  /** The classification's next action; "fix-config": a person must change settings or the account. */
  action?: SessionAction;
  /** A configuration problem found before or while sending (CLI exit code 2). */
  configError?: boolean;
  /** Stable id of the classification row (host/config/replies.ts) or a local code. */
  id: string;
  /** A failure: the core state it hit ("Auth", "Envelope", "BodyEnd" …) and the command whose
   *  reply failed it as on the wire ("AUTH", "DATA", "." …; "" for the greeting). */
  stage?: string;
  command?: string;
  /** The account must wait this long before any further attempt (quota, throttling). */
  accountBackoffMs?: number;
  adminHint?: string;
  /** Split mail: parts accepted / parts planned. */
  parts: { sent: number; total: number };
  bodyMode?: "7bit" | "8bitmime" | "binarymime" | "chunked";
  /** The core's linear memory at the end of the last attempt, bytes (the budget: core ≤ 128 KiB, docs/core.md). */
  coreMemoryBytes?: number;
  tls?: TlsInfo | null;
}

/** What a probe (probeSession()) saw: the server's offer, the sign-in outcome, how far it got. */
export interface ProbeRecord {
  /** The first reply: the server's greeting (last line). */
  greeting?: { code: number; enhanced: string; text: string };
  /** An EHLO was answered with 250: `caps` is that offer (the one after STARTTLS when TLS ran). */
  ehloDone: boolean;
  /** The core's ReadyForEnvelope came: everything before MAIL worked. */
  readyForEnvelope: boolean;
  /** The core's view of the last EHLO reply: Cap* flags, SIZE, Mech* of the offered AUTH. */
  caps: { flags: number; sizeLimit: number; authMechs: number } | null;
  /** The same by the core's constant names: capNames "Pipelining", "StartTls", "Size", "8BitMime",
   *  "SmtpUtf8", "Chunking", "BinaryMime", "Auth" …; mechNames "Plain", "Login", "Xoauth2". */
  capNames?: string[];
  mechNames?: string[];
  /** The AUTH outcome when AUTH ran: 235, or the refusal (535 5.7.139 …). */
  auth?: { code: number; enhanced: string; text: string };
  /** The core's state at the end ("Connect" when no connection was made): where a failure hit. */
  stage: string;
  /** The core's failure (Reason* name without the prefix, the state it failed in, the reply). */
  failure?: { reason: string; stage: string; command: string; code: number; enhanced: string; text: string };
  /** The connection failed (connect, TLS handshake, timeout, reset). */
  transportError?: TransportError;
}
