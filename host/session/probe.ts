// Probe mode of the session (probeSession() in host/session/driver.ts, used by `mfp-mail doctor`): the
// record of what the server offered, completed from the core when the attempt ends.
import type { Core } from "../core/core.js";
import type { AttemptState } from "./result.js";
import type { ProbeRecord } from "./types.js";

export function newProbeRecord(): ProbeRecord {
  return { ehloDone: false, readyForEnvelope: false, caps: null, stage: "Connect" };
}

/** The core's last EHLO view, by constant name, and where the attempt ended or failed. */
export function completeProbe(probe: ProbeRecord, core: Core, st: AttemptState): void {
  try {
    if (probe.ehloDone) probe.caps = core.caps();
    if (probe.caps) {
      // Constant names, not numbers: "Cap8BitMime" → "8BitMime", "MechXoauth2" → "Xoauth2".
      const named = (prefix: string, bits: number) => Object.entries(core.k)
        .filter(([n, v]) => n.startsWith(prefix) && v > 0 && (bits & v) === v).map(([n]) => n.slice(prefix.length));
      probe.capNames = named("Cap", probe.caps.flags);
      probe.mechNames = named("Mech", probe.caps.authMechs);
    }
    // Where it ended: the state a failure hit (the core itself is in Failed by then), where the
    // connection broke, or the state it stopped in.
    if (probe.stage !== "Connect") probe.stage = st.failure?.stage ?? st.where?.stage ?? core.stateName();
  } catch { /* a core that trapped (CoreAbort) has nothing more to say */ }
  const f = st.failure;
  if (f) probe.failure = { reason: f.reason, stage: f.stage, command: f.command, code: f.code, enhanced: f.enhanced, text: f.text };
  if (st.transportError) probe.transportError = st.transportError;
}
