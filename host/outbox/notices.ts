// The outbox's own outcome sentences: why a job is held, and what the storage-pressure rule did.
// The words are the catalogue's (host/text/outcomes.ts, OUTBOX_* keys); server text inside them
// is what the session already reported, through the sanitiser.
import { formatDuration } from "./backoff.js";
import type { HoldCause } from "./types.js";
import { say } from "../text/outcomes.js";

const HOLD_KEY: Record<HoldCause, string> = {
  /** giveUpAfter passed: the scan stays, a person retries or cancels. */
  expired: "OUTBOX_RETENTION_EXPIRED",
  /** A failure a person must fix (password, account, TLS, Send As …). */
  "fix-config": "OUTBOX_HELD_FIX_CONFIG",
  /** A permanent failure without a server refusal (a local limit, an internal error). */
  unsendable: "OUTBOX_HELD_UNSENDABLE",
};

export function holdReason(cause: HoldCause, last: string, window: number): string {
  return say(HOLD_KEY[cause], { last, window: formatDuration(window) });
}

/** The storage-pressure rule removed the oldest held job to make room for a new scan. */
export function removedForSpace(names: string, why: string): string {
  return say("OUTBOX_REMOVED_FOR_SPACE", { names, why });
}
