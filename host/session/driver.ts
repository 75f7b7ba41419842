// The driver: one wasm Core per connection, one Transport, one message source. The core is
// sans-I/O (assembly/index.ts); the driver owns every side effect of a session. It opens the
// core and the connection, runs the loop — flush the core's output, answer its events
// (host/session/attempt.ts), read the server — and turns what happened into a SessionResult.
// It never throws for SMTP or network failures: every outcome is a SessionResult.
import { Core } from "../core/core.js";
import { MimeWriter, MimeError, type MessageSpec } from "../core/mime.js";
import { openTransport } from "../transport/connect.js";
import { TransportError, type Transport } from "../transport/types.js";
import { ScanError } from "../scan/types.js";
import { say } from "../text/outcomes.js";
import { Attempt } from "./attempt.js";
import { BodyAborted } from "./body.js";
import { buildSpec } from "./message.js";
import { composeResult, errorResult, type AttemptState } from "./result.js";
import { configureCore, makeProgress, tlsOptions } from "./setup.js";
import { completeProbe, newProbeRecord } from "./probe.js";
import type { ProbeRecord, SessionOptions, SessionResult } from "./types.js";

export type * from "./types.js";
export { SessionConfigError } from "./setup.js";

/** Hard bound on loop turns per connection (each turn reads at least one byte or ends). */
const MAX_TURNS = 5_000_000;

/** Bytes and round trips over every attempt of one send (a token refresh makes two). */
interface Totals { wire: number; trips: number }

/** Send one scan (possibly split into several messages) and report what happened. */
export async function sendMessage(o: SessionOptions): Promise<SessionResult> {
  const total = { wire: 0, trips: 0 };
  const first = await attempt(o, total);
  const tp = o.auth?.tokenProvider;
  // XOAUTH2: the server refused the token (535 or a 334 error challenge): drop it, refresh
  // once, and try AUTH once more on a fresh connection.
  if (first.authRejected && o.auth?.mechanism === "xoauth2" && tp && !o.signal?.aborted) {
    tp.invalidate();
    const second = await attempt(o, total);
    return second.result;
  }
  return first.result;
}

/**
 * Probe mode (`mfp-mail doctor`): the same loop up to the core's ReadyForEnvelope — greeting, EHLO,
 * STARTTLS, EHLO, AUTH when configured — then QUIT; never MAIL, so nothing is sent. One attempt,
 * no token refresh. The record says what the server offered and how far the session got; the
 * result classifies a failure (its status means nothing when probe.readyForEnvelope is true).
 */
export async function probeSession(o: SessionOptions): Promise<{ result: SessionResult; probe: ProbeRecord }> {
  const out = await attempt({ ...o, probe: true }, { wire: 0, trips: 0 });
  return { result: out.result, probe: out.probe! };
}

interface AttemptOutcome { result: SessionResult; authRejected: boolean; probe?: ProbeRecord }

async function attempt(o: SessionOptions, total: Totals): Promise<AttemptOutcome> {
  const st = newAttemptState(o);
  const probe = o.probe ? newProbeRecord() : undefined;
  const refused = (e: unknown): AttemptOutcome =>
    ({ result: errorResult(e, total, st.recipients.map((r) => r.address), st.stored), authRejected: false });
  let core: Core, mime: MimeWriter, spec: MessageSpec;
  try {
    ({ core, mime, spec } = await openCore(o));
  } catch (e) {
    return refused(e);
  }
  const progress = makeProgress(o);
  let serverName = o.server.host;
  let tr: Transport;
  try {
    progress.phase("Connecting");
    tr = await connect(o, (h) => { serverName = h; });
  } catch (e) {
    if (!(e instanceof TransportError)) return refused(e);
    st.transportError = e;
    return finish({ st, total, core, probe, tr: null, lastVerb: "" });
  }
  if (probe) probe.stage = "Greeting";
  const a = new Attempt(o, core, mime, spec, st, tr, serverName, probe, progress);
  o.observer?.connect?.(serverName, o.server.port);
  await run(a);
  st.roundTrips = a.pump.roundTrips;
  return finish({ st, total, core, probe, tr, lastVerb: a.lastVerb });
}

function newAttemptState(o: SessionOptions): AttemptState {
  return {
    recipients: [...o.message.to, ...(o.message.cc ?? [])].map((address) => ({ address, code: 0, enhanced: "", text: "" })),
    partsAccepted: 0, partsTotal: 1, failure: null, lastAccept: null, authRejected: false,
    transportError: null, bodyMode: undefined, tls: null, wireBytes: 0, roundTrips: 0, mimeError: null,
    ...(o.preset ? { preset: o.preset } : {}), xoauth2: o.auth?.mechanism === "xoauth2", stored: o.stored === true,
  };
}

/** A configured core, its MIME writer, and the message; throws for settings it cannot use. */
async function openCore(o: SessionOptions): Promise<{ core: Core; mime: MimeWriter; spec: MessageSpec }> {
  const core = await Core.create(o.board.core);
  const mime = new MimeWriter(core);
  // A larger staging area means fewer, larger BDAT chunks; bounded by the board's buffers.
  mime.configure(Math.max(4096, Math.min(65536, o.board.core.outCap >> 2)));
  mime.reuseOutput = true; // the body's sink awaits Transport.write, which is done with the bytes
  const spec = buildSpec(o.message, o.message.date ?? new Date(), o.message.messageId);
  configureCore(core, o);
  return { core, mime, spec };
}

function connect(o: SessionOptions, onServer: (host: string) => void): Promise<Transport> {
  if (o.openTransport) return o.openTransport();
  return openTransport({
    host: o.server.host, port: o.server.port, tls: o.server.tls, engine: o.server.engine ?? o.board.tls.engine,
    tlsOptions: tlsOptions(o), timeouts: { ...o.board.timeouts, ...(o.server.timeouts ?? {}) },
    ...(o.server.mx ? { mx: o.server.mx, onServer } : {}),
  });
}

/** The session on an open connection, until Closed, the end of the stream, or a failure. */
async function run(a: Attempt): Promise<void> {
  const { o, st, tr } = a;
  const onAbort = () => tr.close();
  o.signal?.addEventListener("abort", onAbort, { once: true });
  if (tr.tls) { st.tls = tr.tls; o.observer?.tls?.(tr.tls); }
  try {
    await loop(a);
  } catch (e) {
    recordError(a, e);
  } finally {
    o.signal?.removeEventListener("abort", onAbort);
    tr.close();
    try { a.core.wipeSecrets(); } catch { /* the instance is dropped anyway */ }
  }
}

async function loop(a: Attempt): Promise<void> {
  const { pump, st } = a;
  a.phased?.setPhase("greeting");
  a.core.start();
  for (let turn = 0; turn < MAX_TURNS && !a.done; turn++) {
    await pump.flush();
    for (let ev = pump.next(); ev && !a.done; ev = pump.next()) {
      await a.handle(ev);
      await pump.flush();
    }
    if (a.done) return;
    if (!(await pump.read())) {
      // End of stream: fine after QUIT was sent, a failure before the last part's 250.
      if (!a.quitting && st.partsAccepted < st.partsTotal && !st.failure) {
        st.transportError = new TransportError("CONNECTION_RESET", say("DETAIL:CLOSED_BEFORE_ACCEPTED"), true);
      }
      return;
    }
  }
}

/** What an exception out of the loop means for the result. */
function recordError(a: Attempt, e: unknown): void {
  const { st } = a;
  if (e instanceof BodyAborted) return; // the failure is already recorded
  if (e instanceof TransportError) {
    // A connection lost after the final 250 (e.g. during QUIT) does not undo the delivery.
    if (st.partsAccepted < st.partsTotal || !a.quitting) st.transportError = e;
  } else if (e instanceof MimeError || e instanceof ScanError) st.mimeError = e;
  else if (a.o.signal?.aborted) st.transportError = new TransportError("CONNECTION_RESET", say("DETAIL:CANCELLED"), true);
  else st.mimeError = e instanceof Error ? e : new Error(String(e));
}

/** The attempt's result; wire bytes and round trips count every attempt of this send. */
function finish(f: { st: AttemptState; total: Totals; core: Core; probe?: ProbeRecord; tr: Transport | null; lastVerb: string }): AttemptOutcome {
  const { st, total, core, probe } = f;
  total.wire += (f.tr?.bytesWritten ?? 0) + (f.tr?.bytesRead ?? 0);
  st.wireBytes = total.wire;
  total.trips += st.roundTrips;
  st.roundTrips = total.trips;
  if (st.transportError && !st.failure) {
    // Idle: the core never started, the connection itself failed ("Connect", as doctor says).
    try { st.where = { stage: core.stateName() === "Idle" ? "Connect" : core.stateName(), command: f.lastVerb }; } catch { /* a trapped core */ }
  }
  const result = composeResult(st);
  try { result.coreMemoryBytes = core.memoryBytes(); } catch { /* a trapped core */ }
  if (probe) completeProbe(probe, core, st);
  return { result, authRejected: st.authRejected, ...(probe ? { probe } : {}) };
}
