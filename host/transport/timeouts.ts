// Per-phase timeouts. RFC 5321 §4.5.3.2 gives the minimum time a client waits for each reply
// (or, for the data block, for each send to complete) before it gives up on the server:
//   initial 220 greeting 5 min, MAIL 5 min, RCPT 5 min, DATA initiation 2 min,
//   data block 3 min, DATA termination (the final ".") 10 min.
// The RFC has no figure for connect, EHLO/AUTH/STARTTLS or the TLS handshake; ours are below.
// Every value is configurable (tests use milliseconds).
import { say } from "../text/outcomes.js";

export type TimeoutPhase =
  | "greeting"
  | "command" // EHLO, STARTTLS, AUTH, RSET, QUIT, …
  | "mail"
  | "rcpt"
  | "dataInit"
  | "dataBlock"
  | "dataTerm";

export interface SmtpTimeouts {
  /** TCP connect (SYN to established). */
  connect: number;
  /** TLS handshake (STARTTLS upgrade or implicit TLS). */
  tlsHandshake: number;
  greeting: number;
  command: number;
  mail: number;
  rcpt: number;
  dataInit: number;
  dataBlock: number;
  dataTerm: number;
}

const MIN = 60_000;

export const RFC5321_TIMEOUTS: Readonly<SmtpTimeouts> = Object.freeze({
  connect: 30_000,
  tlsHandshake: 60_000,
  greeting: 5 * MIN,
  command: 5 * MIN,
  mail: 5 * MIN,
  rcpt: 5 * MIN,
  dataInit: 2 * MIN,
  dataBlock: 3 * MIN,
  dataTerm: 10 * MIN,
});

export function resolveTimeouts(partial: Partial<SmtpTimeouts> | undefined): SmtpTimeouts {
  const t = { ...RFC5321_TIMEOUTS, ...(partial ?? {}) };
  for (const [k, v] of Object.entries(t)) {
    if (typeof v !== "number" || !(v > 0) || !Number.isFinite(v)) {
      throw new RangeError(`timeout "${k}" must be a positive number of milliseconds, got ${String(v)}`);
    }
  }
  return t;
}

/** One limit for every phase (the CLI's --timeout, doctor's per-step limit). */
export function uniformTimeouts(ms: number): SmtpTimeouts {
  return { connect: ms, tlsHandshake: ms, greeting: ms, command: ms, mail: ms, rcpt: ms, dataInit: ms, dataBlock: ms, dataTerm: ms };
}

/** Plain-words name of a phase for error messages ("the reply to RCPT TO"; host/text/outcomes.ts). */
export function describePhase(p: TimeoutPhase): string {
  return say(`DETAIL:PHASE:${p}`);
}
