// The Device Authorization Grant (RFC 8628) as the device runs it: get a code, show it, poll the
// token endpoint until the admin has signed in on another device (phone, PC).
//
// Polling is hand-written rather than left to a library so that the clock and the sleep are
// injected (tests run the whole flow without waiting) and so that each rule of §3.5 is visible.

import type { Endpoints } from "./authority.js";
import { OAuthError } from "./errors.js";
import { pollDeviceCode, requestDeviceCode } from "./grants.js";
import { type DeviceCodePrompt, type TokenSet } from "./types.js";
import { systemClock, type Clock } from "../base/clock.js";

export interface DeviceSignInOptions {
  endpoints: Endpoints;
  scope: string;
  /** Show the code: the CLI prints it, the simulator panel displays it. */
  onPrompt(prompt: DeviceCodePrompt): void;
  /** Told about each poll outcome (for a progress line); never given a secret. */
  onPoll?(event: { outcome: "pending" | "slow_down" | "network_error"; intervalSeconds: number }): void;
  clock?: Clock;
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

/** RFC 8628 §3.5: slow_down means "increase the interval by 5 seconds for this and all later requests". */
const SLOW_DOWN_STEP_S = 5;
/** Cap for the interval after repeated network errors (§3.5 backoff), so one sign-in can still finish. */
const MAX_INTERVAL_S = 60;

export async function signInWithDeviceCode(o: DeviceSignInOptions): Promise<TokenSet> {
  const clock = o.clock ?? systemClock;
  const ctx = { endpoints: o.endpoints, now: clock.now, signal: o.signal, fetch: o.fetch };
  const auth = await requestDeviceCode(ctx, o.scope);
  o.onPrompt(auth.prompt);

  const deadline = clock.now() + auth.prompt.expiresIn * 1000;
  let interval = auth.interval;
  // Every poll is preceded by a sleep of at least 1 s of the injected clock, so this bound is never
  // reached by a server that follows the RFC; it stops a clock that does not advance from looping.
  const maxPolls = Math.ceil(auth.prompt.expiresIn) + 1;
  for (let polls = 0; polls < maxPolls; polls++) {
    // §3.4/§3.5: wait `interval` seconds before each request, the first included.
    await clock.sleep(interval * 1000, o.signal);
    if (o.signal?.aborted) throw new OAuthError("OAUTH_ABORTED", "device sign-in cancelled");
    if (clock.now() >= deadline) break;
    let result;
    try {
      result = await pollDeviceCode(ctx, auth.deviceCode);
    } catch (e) {
      // §3.5: on a connection timeout the client MUST reduce its polling frequency; doubling the
      // interval is the RECOMMENDED way. Any other error ends the sign-in.
      if (e instanceof OAuthError && e.code === "OAUTH_NETWORK") {
        interval = Math.min(interval * 2, MAX_INTERVAL_S);
        o.onPoll?.({ outcome: "network_error", intervalSeconds: interval });
        continue;
      }
      throw e;
    }
    if (result.kind === "token") return result.tokens;
    if (result.kind === "slow_down") interval += SLOW_DOWN_STEP_S;
    o.onPoll?.({ outcome: result.kind, intervalSeconds: interval });
  }
  // §3.5 expired_token, detected on our side: the code's lifetime ran out while we were polling.
  throw new OAuthError("OAUTH_CODE_EXPIRED", "device sign-in failed: the code expired before anyone signed in");
}
