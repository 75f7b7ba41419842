// What one session result means for a job's recipients, and whether the job must wait for a
// person. The rules of the outcome contract:
//   - delivered only after the server's final 250 to the message (RFC 5321 §4.1.1.4, RFC 3030 §2);
//   - "not delivered" only after a real 5xx refusal of the message or of a recipient
//     (RFC 5321 §4.2.1: 5yz is a permanent negative completion reply);
//   - a failure whose classification says a person must fix settings or the account
//     (action "fix-config": wrong password, SMTP AUTH disabled, TLS required, Send As denied …)
//     keeps the recipients pending and holds the job, scan and all;
//   - a permanent failure with no server refusal at all (a local limit, an internal error) holds
//     the job as well: nothing refused the scan, so nothing may drop it;
//   - everything else (4xx, network, timeouts, protocol desync, reply caps) is transient.
import type { DeliveryResult, HoldCause, JobRecipient, JobRecord } from "./types.js";

/** RFC 5321 §4.2.1: 5yz. */
export const permanentCode = (code: number): boolean => code >= 500 && code < 600;

/** Whether the message itself reached the point of no return (final 250 read). */
export function messageAccepted(r: DeliveryResult): boolean {
  return r.messageAccepted ?? (r.status === "sent" || r.status === "partial");
}

/** Whether a whole-message failure is worth retrying (4xx, network, timeout, 451 4.7.500 …). */
export function transientFailure(r: DeliveryResult): boolean {
  if (r.transient !== undefined) return r.transient;
  if (r.status === "queued" || r.status === "not-sent-transient") return true;
  return !permanentCode(r.code);
}

export interface Verdict {
  /** Set when the job must be held for a person rather than retried or ended. */
  hold: { cause: HoldCause; id: string } | null;
}

/** Apply one session result to the job's recipients (only the ones tried) and say whether to hold. */
export function applyResult(job: JobRecord, tried: string[], r: DeliveryResult): Verdict {
  // The account as a whole must wait (quota, throttling): no recipient's answer is final.
  if (r.accountBackoffMs) return { hold: null };
  const accepted = messageAccepted(r);
  const transient = !accepted && transientFailure(r);
  // A failure of the whole message that is neither transient nor a server's 5xx refusal.
  const personNeeded = !accepted && !transient && (r.action === "fix-config" || !permanentCode(r.code));
  let hold: Verdict["hold"] = personNeeded ? { cause: r.action === "fix-config" ? "fix-config" : "unsendable", id: r.id ?? "FAILED" } : null;
  for (const rcpt of job.recipients) {
    if (rcpt.state !== "pending" || !tried.includes(rcpt.address)) continue;
    const res = r.recipients.find((x) => x.address.toLowerCase() === rcpt.address.toLowerCase());
    const mark = (state: JobRecipient["state"], code: number, enhanced?: string, message?: string) => {
      rcpt.state = state;
      rcpt.code = code;
      rcpt.enhanced = enhanced;
      rcpt.message = message;
    };
    // A session that reports "sent" without a per-recipient list means every recipient.
    if (accepted && (res ? res.accepted : r.status === "sent")) mark("delivered", 250, r.enhanced, r.message);
    // A recipient's own 5xx is final; the same code on every recipient of a failure classified
    // transient (501 5.5.127 …) is the message's, not theirs.
    else if (res && !res.accepted && permanentCode(res.code) && !(transient && res.code === r.code)) {
      const action = res.action ?? (accepted ? undefined : r.action);
      if (action === "fix-config") hold ??= { cause: "fix-config", id: res.id ?? r.id ?? "FAILED" };
      else mark("failed", res.code, res.enhanced, res.message ?? r.message);
    } else if (res && !res.accepted && res.code >= 400) {
      // This recipient's own 4xx (RCPT): it stays pending.
    } else if (!accepted && !transient && !personNeeded) mark("failed", r.code, r.enhanced, r.message);
    // else: still pending — a transient failure, or one a person must fix first.
  }
  return { hold };
}
