// The driver loop: one wasm Core per connection, one Transport, one message source. The core is
// sans-I/O (assembly/index.ts); this file owns every side effect of a session: it writes the
// core's output to the socket, feeds the server's bytes back, and answers the core's events —
// TLS upgrade, XOAUTH2 token, envelope (size + body mode), body streaming with back-pressure.
// It never throws for SMTP or network failures: every outcome is a SessionResult.
import { Core, type CoreEvent } from "../core/core.js";
import { MimeWriter, MimeError, splitLimit, type MessageSpec, type WriteMode } from "../core/mime.js";
import { openTransport } from "../transport/connect.js";
import { TransportError, type Transport } from "../transport/types.js";
import type { PhasedTransport } from "../transport/tcp.js";
import type { TimeoutPhase } from "../transport/timeouts.js";
import { ScanError } from "../scan/types.js";
import { buildSpec, chooseBodyMode, envIdOf, type BodyModeName } from "./message.js";
import { composeResult, errorResult, type AttemptState } from "./result.js";
import { configureCore, makeProgress, tlsOptions } from "./setup.js";
import { completeProbe, newProbeRecord } from "./probe.js";
import { supplyToken } from "./token.js";
import { commandVerb } from "./classify.js";
import type { ProbeRecord, SessionOptions, SessionResult } from "./types.js";

export type * from "./types.js";
export { SessionConfigError } from "./setup.js";

/** Hard bound on loop turns per connection (each turn reads at least one byte or ends). */
const MAX_TURNS = 5_000_000;

class BodyAborted extends Error {}

/** Send one scan (possibly split into several messages) and report what happened. */
export async function sendMessage(o: SessionOptions): Promise<SessionResult> {
  const total = { wire: 0, trips: 0 };
  const first = await attempt(o, total);
  const tp = o.auth?.tokenProvider;
  // XOAUTH2: the server refused the token (535 or a 334 error challenge, see issue 7): drop it,
  // refresh once, and try AUTH once more on a fresh connection.
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

async function attempt(o: SessionOptions, total: { wire: number; trips: number }): Promise<AttemptOutcome> {
  const st: AttemptState = {
    recipients: [...o.message.to, ...(o.message.cc ?? [])].map((address) => ({ address, code: 0, enhanced: "", text: "" })),
    partsAccepted: 0, partsTotal: 1, failure: null, lastAccept: null, authRejected: false,
    transportError: null, bodyMode: undefined, tls: null, wireBytes: 0, roundTrips: 0, mimeError: null,
    ...(o.preset ? { preset: o.preset } : {}), xoauth2: o.auth?.mechanism === "xoauth2", stored: o.stored === true,
  };
  let t: Transport | null = null;
  const probe = o.probe ? newProbeRecord() : undefined;
  let lastCommand = "";
  let lastVerb = "";
  const finish = (): AttemptOutcome => {
    st.wireBytes = (t?.bytesWritten ?? 0) + (t?.bytesRead ?? 0);
    total.wire += st.wireBytes;
    st.wireBytes = total.wire;
    total.trips += st.roundTrips;
    st.roundTrips = total.trips;
    if (st.transportError && !st.failure) {
      // Idle: the core never started, the connection itself failed ("Connect", as doctor says).
      try { st.where = { stage: core.stateName() === "Idle" ? "Connect" : core.stateName(), command: lastVerb }; } catch { /* no core */ }
    }
    const result = composeResult(st);
    try { result.coreMemoryBytes = core.memoryBytes(); } catch { /* no core yet */ }
    if (probe) completeProbe(probe, core, st);
    return { result, authRejected: st.authRejected, ...(probe ? { probe } : {}) };
  };
  const progress = makeProgress(o);
  let core: Core;
  let mime: MimeWriter;
  let spec: MessageSpec;
  try {
    core = await Core.create(o.board.core);
    mime = new MimeWriter(core);
    // A larger staging area means fewer, larger BDAT chunks; bounded by the board's buffers.
    mime.configure(Math.max(4096, Math.min(65536, o.board.core.outCap >> 2)));
    mime.reuseOutput = true; // the sink below awaits Transport.write, which is done with the bytes
    spec = buildSpec(o.message, o.message.date ?? new Date(), o.message.messageId);
    configureCore(core, o);
  } catch (e) {
    return { result: errorResult(e, total, st.recipients.map((r) => r.address), st.stored), authRejected: false };
  }
  const k = core.k;

  let serverName = o.server.host;
  try {
    progress.phase("Connecting");
    t = o.openTransport
      ? await o.openTransport()
      : await openTransport({
        host: o.server.host, port: o.server.port, tls: o.server.tls, engine: o.server.engine ?? o.board.tls.engine,
        tlsOptions: tlsOptions(o), timeouts: { ...o.board.timeouts, ...(o.server.timeouts ?? {}) },
        ...(o.server.mx ? { mx: o.server.mx, onServer: (h: string) => { serverName = h; } } : {}),
      });
  } catch (e) {
    if (e instanceof TransportError) { st.transportError = e; return finish(); }
    return { result: errorResult(e, total, st.recipients.map((r) => r.address), st.stored), authRejected: false };
  }
  const tr = t;
  if (probe) probe.stage = "Greeting";
  const onAbort = () => tr.close();
  o.signal?.addEventListener("abort", onAbort, { once: true });
  o.observer?.connect?.(serverName, o.server.port);
  if (tr.tls) { st.tls = tr.tls; o.observer?.tls?.(tr.tls); }
  const phased = "setPhase" in tr ? (tr as PhasedTransport) : null;

  let wroteSinceRead = false;
  const flush = async () => {
    const out = core.takeOut();
    if (out.length) { await tr.write(out); wroteSinceRead = true; }
  };
  const read = async (): Promise<boolean> => {
    await flush();
    if (wroteSinceRead) { st.roundTrips++; wroteSinceRead = false; }
    const chunk = await tr.read();
    if (chunk === null) return false;
    core.feed(chunk);
    return true;
  };
  const busy = async (f: () => number): Promise<number> => {
    for (let i = 0; i < 10_000; i++) {
      const rc = f();
      if (rc !== -1) return rc;
      await flush();
      // Still busy with nothing to write: the core waits for replies (BDAT without PIPELINING).
      if (core.outLen() === 0 && i > 0 && !(await read())) throw new TransportError("CONNECTION_RESET", "The server closed the connection.", true);
    }
    throw new Error("the core stayed busy");
  };

  // Split plan and message parts, fixed at the first ReadyForEnvelope (capabilities known).
  let parts: MessageSpec[] = [];
  let mode: WriteMode = {};
  let bodyMode = k.BodyMode7Bit!;
  let partIndex = 0;
  let quitting = false;
  let done = false;
  let bytesSent = 0;
  let bytesTotal = 0;

  // QUIT already pipelined behind the last part's end (see sendBody).
  let quitPipelined = false;
  const quit = () => {
    if (quitting) return;
    quitting = true;
    if (quitPipelined) return;
    if (core.quit() !== 0) done = true;
  };

  /** Events that may arrive while the body streams: log them, stop on a failure. */
  const handleLight = (ev: CoreEvent): boolean => {
    if (ev.kind === k.EventCommandSent) {
      lastCommand = ev.text;
      lastVerb = commandVerb(ev.command);
      o.observer?.command?.(ev.text);
      phaseFromCommand(ev.text);
      return true;
    }
    if (ev.kind === k.EventReplyReceived) {
      phased?.replyArrived(); // a whole reply: the next one gets a fresh deadline, partial bytes never do
      if (probe) {
        probe.greeting ??= { code: ev.code, enhanced: ev.enhanced, text: ev.text };
        if (ev.code === 250 && /^EHLO /i.test(lastCommand)) probe.ehloDone = true;
      }
      o.observer?.reply?.(ev.code, ev.enhanced, ev.text);
      return true;
    }
    if (ev.kind === k.EventRecipientResult) {
      const r = st.recipients[ev.index];
      if (r) Object.assign(r, { code: ev.code, enhanced: ev.enhanced, text: ev.text });
      return true;
    }
    if (ev.kind === k.EventAuthError) { st.authRejected = true; return true; }
    return false;
  };
  const phaseFromCommand = (text: string) => {
    const verb = text.slice(0, 4).toUpperCase();
    const p: TimeoutPhase | null = verb === "MAIL" ? "mail" : verb === "RCPT" ? "rcpt" : verb === "DATA" ? "dataInit"
      : verb === "BDAT" ? "dataBlock" : text === "." ? "dataTerm" : "command";
    phased?.setPhase(p);
    if (verb === "STAR") progress.phase("Securing");
    else if (verb === "AUTH") progress.phase("Signing in");
  };

  /** Handle what is queued; a Failed among it ends the body at once. Returns how many were queued. */
  const takeQueued = (): number => {
    let handled = 0;
    for (let ev = core.nextEvent(); ev; ev = core.nextEvent()) {
      handled++;
      if (!handleLight(ev)) {
        if (ev.kind === k.EventFailed) { recordFailure(ev); throw new BodyAborted(); }
        pending.push(ev);
      }
    }
    return handled;
  };
  const onStall = async () => {
    if (takeQueued() > 0) return;
    if (!(await read())) throw new TransportError("CONNECTION_RESET", "The server closed the connection while the scan was being sent.", true);
  };
  const pending: CoreEvent[] = [];
  const recordFailure = (ev: CoreEvent) => {
    // The first failure is the cause: replies to commands pipelined behind it (a 421 "too many
    // errors" after a refused AUTH) must not overwrite it.
    if (st.failure) return;
    const reason = core.nameOf("Reason", ev.reason);
    // The state it failed in comes with the event (the core is in Failed by now), and so does
    // the command whose reply failed it.
    st.failure = { code: ev.code, enhanced: ev.enhanced, text: ev.text, cls: ev.cls, reason, stage: ev.stage ?? core.stateName(), command: commandVerb(ev.command) };
    if (reason === "AuthFailed") st.authRejected = true;
  };

  const sendBody = async () => {
    const spec = parts[partIndex]!;
    const scan = o.message.attachments[0];
    const pageEnds = scan?.pageEnds;
    let scanned = 0;
    // Wrap the scan so progress can say which page is on the wire.
    const partSpec: MessageSpec = {
      ...spec,
      attachments: spec.attachments.map((a, i) => i !== 0 ? a : {
        ...a,
        source: async function* () {
          for await (const c of a.source()) {
            scanned += c.length;
            yield c;
          }
        },
      }),
    };
    const pageOf = () => {
      if (!pageEnds || pageEnds.length === 0) return undefined;
      const abs = partStart(partIndex) + scanned;
      let p = 0;
      while (p < pageEnds.length - 1 && abs >= pageEnds[p]!) p++;
      return p + 1;
    };
    phased?.setPhase("dataBlock");
    mime.onStall = onStall;
    try {
      await mime.write(partSpec, mode, async (b) => {
        // Once the session failed (a reply out of order arrived with the 354, say) not one more
        // byte of the scan goes out: the core no longer frames it, the server may read it as commands.
        if (core.stateName() === "Failed") takeQueued();
        if (core.stateName() === "Failed") throw new BodyAborted(); // failure already recorded
        await tr.write(b);
        wroteSinceRead = true;
        bytesSent += b.length;
        o.observer?.body?.(bytesSent);
        progress.sending(bytesSent, bytesTotal, pageOf(), pageEnds?.length, partIndex + 1, parts.length);
      });
    } finally {
      mime.onStall = null;
    }
    await busy(() => core.bodyEnd());
    // Last part: QUIT goes out with the end of the body, one round trip less (RFC 2920 §3.1 lets
    // QUIT end a pipelined group). The core queues it only with PIPELINING; the final reply still
    // decides MessageAccepted or Failed, and QUIT is not sent twice.
    if (partIndex === parts.length - 1 && core.quit() === 0) quitPipelined = true;
    phased?.setPhase("dataTerm");
  };
  let partStarts: number[] = [];
  const partStart = (i: number) => partStarts[i] ?? 0;

  const planParts = async () => {
    const caps = core.caps();
    const choice: BodyModeName = chooseBodyMode(caps.flags, k, o.binaryMime ?? o.board.smtp.binaryMime, o.chunking, spec);
    st.bodyMode = choice;
    bodyMode = { "7bit": k.BodyMode7Bit!, "8bitmime": k.BodyMode8BitMime!, binarymime: k.BodyModeBinaryMime!, chunked: k.BodyModeChunked! }[choice];
    mode = { binary: choice === "binarymime", eightBit: choice === "8bitmime" || choice === "binarymime" || choice === "chunked" && (caps.flags & k.Cap8BitMime!) !== 0 };
    const max = splitLimit(o.board.message, (caps.flags & k.CapSize!) !== 0 ? caps.sizeLimit : 0);
    const size = await mime.size(spec, mode);
    if (size > max && spec.attachments.length === 1) {
      const plan = await mime.splitPlan(spec, max, mode);
      parts = plan.messages.map((m) => mime.part(spec, m.index, m.of, m.start, m.end));
      partStarts = plan.messages.map((m) => m.start);
      bytesTotal = plan.messages.reduce((s, m) => s + m.size, 0);
    } else {
      parts = [spec];
      bytesTotal = size;
    }
    st.partsTotal = parts.length;
  };

  const handle = async (ev: CoreEvent) => {
    if (handleLight(ev)) return;
    switch (ev.name) {
      case "NeedTlsUpgrade": {
        progress.phase("Securing");
        await flush();
        phased?.setPhase("command");
        const info = await tr.upgradeTls(tlsOptions(o, serverName));
        st.tls = info;
        o.observer?.tls?.(info);
        core.tlsUpgraded();
        break;
      }
      case "NeedAccessToken": {
        progress.phase("Signing in");
        const failure = await supplyToken(core, o.auth?.tokenProvider);
        if (failure) { st.failure = failure; done = true; }
        break;
      }
      case "Authenticated":
        if (probe) probe.auth = { code: ev.code, enhanced: ev.enhanced, text: ev.text };
        break;
      case "ReadyForEnvelope": {
        if (probe) { probe.readyForEnvelope = true; probe.caps = core.caps(); quit(); break; }
        if (quitting || st.failure) { quit(); break; }
        if (partIndex === 0 && parts.length === 0) await planParts();
        if (partIndex >= parts.length) { quit(); break; }
        const size = await mime.size(parts[partIndex]!, mode);
        if (core.setString(k.FieldEnvId!, envIdOf(parts[partIndex]!.messageId, partIndex, parts.length)) !== 0) core.setString(k.FieldEnvId!, "");
        const rc = await busy(() => core.sendEnvelope(size, bodyMode));
        if (rc !== 0) {
          st.failure = { code: 0, enhanced: "", text: `the core refused the envelope (${core.nameOf("Reason", rc)})`, cls: k.ClassLocal!, reason: core.nameOf("Reason", rc), stage: "Envelope", command: "MAIL FROM" };
          quit();
        } else progress.sending(bytesSent, bytesTotal, undefined, o.message.attachments[0]?.pageEnds?.length, partIndex + 1, parts.length);
        break;
      }
      case "ReadyForBody":
        await sendBody();
        break;
      case "MessageAccepted":
        st.partsAccepted++;
        st.lastAccept = { code: ev.code, enhanced: ev.enhanced, text: ev.text };
        partIndex++;
        if (partIndex >= parts.length) quit();
        break;
      case "Failed":
        recordFailure(ev);
        if (probe && st.failure?.reason === "AuthFailed") probe.auth = { code: ev.code, enhanced: ev.enhanced, text: ev.text };
        quit();
        break;
      case "Closed":
        done = true;
        break;
    }
  };

  try {
    phased?.setPhase("greeting");
    core.start();
    for (let turn = 0; turn < MAX_TURNS && !done; turn++) {
      await flush();
      for (let ev = pending.shift() ?? core.nextEvent(); ev && !done; ev = pending.shift() ?? core.nextEvent()) {
        await handle(ev);
        await flush();
      }
      if (done) break;
      if (!(await read())) {
        // End of stream: fine after QUIT was sent, a failure before the last part's 250.
        if (!quitting && st.partsAccepted < st.partsTotal && !st.failure) {
          st.transportError = new TransportError("CONNECTION_RESET", "The server closed the connection before the message was accepted.", true);
        }
        break;
      }
    }
  } catch (e) {
    if (e instanceof BodyAborted) { /* failure already recorded */ }
    else if (e instanceof TransportError) {
      // A connection lost after the final 250 (e.g. during QUIT) does not undo the delivery.
      if (st.partsAccepted < st.partsTotal || !quitting) st.transportError = e;
    } else if (e instanceof MimeError || e instanceof ScanError) st.mimeError = e;
    else if (o.signal?.aborted) st.transportError = new TransportError("CONNECTION_RESET", "Cancelled.", true);
    else st.mimeError = e instanceof Error ? e : new Error(String(e));
  } finally {
    o.signal?.removeEventListener("abort", onAbort);
    tr.close();
    try { core.wipeSecrets(); } catch { /* the instance is dropped anyway */ }
  }
  return finish();
}
