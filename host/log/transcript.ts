// The SMTP log: one transcript per delivery attempt (commands, replies, TLS parameters, timing),
// as JSON lines in <dir>/smtp.log, rotated to smtp.log.1 so the two never exceed the board's
// log.maxBytes. Microsoft's relay documentation asks clients to "keep SMTP logs to help
// investigate failures".
//
// The API takes no free text that could hold a secret: commands pass the allow-list in
// redact.ts, replies are the server's own words, TLS parameters are a fixed set of fields, the
// body is never offered to the logger at all (only its byte count).
//
// Buffered: records collect in memory and reach the file in one append when a reply arrives
// (except the 250 to an intermediate BDAT chunk), when the attempt ends, when the buffer holds
// more than flushBytes, and when the process exits normally. A 50 MiB scan made ~2,000
// synchronous appends before (one per BDAT command and per reply). What a kill -9 or a power
// cut can lose: the records since the last flush — at most flushBytes of BDAT chunk commands
// and their 250s of the attempt in progress, never a reply to EHLO, AUTH, MAIL, RCPT or to the
// end of the message that was already received. The outbox, not the log, is what makes a scan
// durable.
import { appendFileSync, mkdirSync, renameSync, statSync } from "node:fs";
import { join } from "node:path";
import type { TlsInfo } from "../transport/types.js";
import { commandForLog, replyForLog } from "./redact.js";

const BODY_STEP = 1 << 20;

export interface LogRecord {
  /** ms since epoch */
  t: number;
  job: string;
  attempt: number;
  /** "outbox": what the outbox decided about the job (held, removed for space), not SMTP. */
  kind: "begin" | "connect" | "C" | "S" | "tls" | "body" | "end" | "outbox";
  text?: string;
  code?: number;
  enhanced?: string;
  host?: string;
  port?: number;
  bytes?: number;
  tls?: { protocol: string; cipher: string; peerSubject: string; engine: string };
  status?: string;
  ms?: number;
}

export interface AttemptSummary {
  status: string;
  code: number;
  enhanced: string;
  /** Plain-words outcome (from the session's result or our own decision). */
  message: string;
}

/** Logs with unwritten records; written out when the process exits. */
const unflushed = new Set<TranscriptLog>();
let exitHook = false;

export class TranscriptLog {
  readonly path: string;
  private size = 0;
  private pending: string[] = [];
  private pendingBytes = 0;
  /** Buffer at most this much before writing (an eighth of the cap, at most 16 KiB). */
  readonly flushBytes: number;

  constructor(
    readonly dir: string,
    /** Both files together stay under this many bytes (board log.maxBytes). */
    private readonly maxBytes: number,
    private readonly now: () => number = Date.now,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.path = join(dir, "smtp.log");
    this.flushBytes = Math.min(16384, Math.floor(maxBytes / 8));
    try {
      this.size = statSync(this.path).size;
    } catch {
      this.size = 0;
    }
  }

  /** Start the transcript of attempt `attempt` of job `job`. */
  begin(job: string, attempt: number): AttemptTranscript {
    return new AttemptTranscript(this, job, attempt, this.now);
  }

  /** An outbox decision about a job (held, removed to make room): sentences the outbox wrote, no secrets. */
  note(job: string, attempt: number, text: string): void {
    this.write({ t: this.now(), job, attempt, kind: "outbox", text: replyForLog(text) });
    // Rare and outside any attempt (no reply or end flushes it): on disk at once, so `mfp-mail
    // log` and the panel show why a job was held or removed while the process still runs.
    this.flush();
  }

  /** Queue one record (package-private: only AttemptTranscript builds records). */
  write(rec: LogRecord): void {
    const line = JSON.stringify(rec) + "\n";
    this.pending.push(line);
    this.pendingBytes += Buffer.byteLength(line);
    if (this.pendingBytes > this.flushBytes) this.flush();
    else if (!unflushed.has(this)) {
      unflushed.add(this);
      if (!exitHook) {
        exitHook = true;
        process.on("exit", () => { for (const log of unflushed) log.flush(); });
      }
    }
  }

  /** Write the queued records in one append, rotating first when they would pass the cap. */
  flush(): void {
    unflushed.delete(this);
    if (this.pending.length === 0) return;
    const text = this.pending.join("");
    const n = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    try {
      if (this.size + n > this.maxBytes / 2) {
        // Another process may have rotated already; re-read the size before deciding.
        try {
          this.size = statSync(this.path).size;
        } catch {
          this.size = 0;
        }
        if (this.size + n > this.maxBytes / 2) {
          renameSync(this.path, `${this.path}.1`);
          this.size = 0;
        }
      }
      appendFileSync(this.path, text, { mode: 0o600 });
      this.size += n;
    } catch {
      // A full disk must not stop a delivery: the transcript is best effort, the job is not.
    }
  }
}

/** The observer handed to the session for one attempt. */
export class AttemptTranscript {
  private readonly started: number;

  constructor(
    private readonly log: TranscriptLog,
    readonly job: string,
    readonly attempt: number,
    private readonly now: () => number,
  ) {
    this.started = now();
    this.rec({ kind: "begin" });
  }

  /** Body byte count not yet written: progress is recorded every BODY_STEP bytes, not per chunk. */
  private bodyPending = -1;
  private bodyLogged = 0;

  private rec(r: Omit<LogRecord, "t" | "job" | "attempt">): void {
    if (r.kind !== "body" && this.bodyPending >= 0) this.flushBody();
    this.log.write({ t: this.now(), job: this.job, attempt: this.attempt, ...r });
  }

  private flushBody(): void {
    const bytes = this.bodyPending;
    this.bodyPending = -1;
    this.bodyLogged = bytes;
    this.log.write({ t: this.now(), job: this.job, attempt: this.attempt, kind: "body", bytes });
  }

  connect(host: string, port: number): void {
    this.rec({ kind: "connect", host: replyForLog(host), port });
  }

  /** Commands waiting for their reply, oldest first (RFC 2920: replies come in command order):
   *  true for an intermediate BDAT chunk, whose 250 is not flushed (see the file head). */
  private awaiting: boolean[] = [];

  /** A command as the core reported it (already redacted); the allow-list applies again. */
  command(text: string): void {
    this.awaiting.push(/^BDAT \d+$/i.test(text));
    this.rec({ kind: "C", text: commandForLog(text) });
  }

  reply(code: number, enhanced: string, text: string): void {
    this.rec({ kind: "S", code, enhanced: replyForLog(enhanced), text: replyForLog(text) });
    const chunk = this.awaiting.shift() ?? false;
    if (!chunk || code < 200 || code >= 300) this.log.flush();
  }

  tls(info: TlsInfo): void {
    this.rec({ kind: "tls", tls: { protocol: info.protocol, cipher: info.cipher, peerSubject: info.peerSubject, engine: info.engine } });
  }

  /** How many body bytes went out — the count, never the bytes. */
  body(bytes: number): void {
    this.bodyPending = bytes;
    if (bytes - this.bodyLogged >= BODY_STEP) this.flushBody();
  }

  end(summary: AttemptSummary): void {
    this.rec({ kind: "end", status: summary.status, code: summary.code, enhanced: summary.enhanced, text: replyForLog(summary.message), ms: this.now() - this.started });
    this.log.flush();
  }
}
