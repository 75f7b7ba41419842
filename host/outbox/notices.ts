// The outbox's own outcome sentences, keyed by a stable id (one clean sentence each: the panel
// wraps text itself). Server text inside them is what the session already reported.
import { formatDuration } from "./backoff.js";
import type { HoldCause } from "./types.js";

export const OUTBOX_TEXT = {
  /** giveUpAfter passed: the scan stays, a person retries or cancels. */
  OUTBOX_RETENTION_EXPIRED: (window: number, last: string) =>
    `Held on the device after ${formatDuration(window)} of retries; the last attempt said: ${last}`,
  /** A failure a person must fix (password, account, TLS, Send As …). */
  OUTBOX_HELD_FIX_CONFIG: (last: string) => `Held on the device until the settings or the account are fixed: ${last}`,
  /** A permanent failure without a server refusal (a local limit, an internal error). */
  OUTBOX_HELD_UNSENDABLE: (last: string) => `Held on the device because it cannot be sent as it is: ${last}`,
  /** The storage-pressure rule removed the oldest held job to make room for a new scan. */
  OUTBOX_REMOVED_FOR_SPACE: (names: string, why: string) =>
    `${names} was removed unsent to make room for a new scan (${why}); it was the oldest held job`,
} as const;

export function holdReason(cause: HoldCause, last: string, window: number): string {
  if (cause === "expired") return OUTBOX_TEXT.OUTBOX_RETENTION_EXPIRED(window, last);
  if (cause === "fix-config") return OUTBOX_TEXT.OUTBOX_HELD_FIX_CONFIG(last);
  return OUTBOX_TEXT.OUTBOX_HELD_UNSENDABLE(last);
}
