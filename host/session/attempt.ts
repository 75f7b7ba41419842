// One connection attempt's state and its answers to the core's events. The driver
// (host/session/driver.ts) owns the loop; this class owns what each event means: every handler
// is a method, dispatched by the event's name through two typed tables — events that may come
// while a body streams (logged, recorded) and events that need the driver's full attention.
import type { Core, CoreEvent } from "../core/core.js";
import type { MimeWriter } from "../core/mime.js";
import type { MessageSpec } from "../core/mime-types.js";
import type { PhasedTransport } from "../transport/tcp.js";
import type { TimeoutPhase } from "../transport/timeouts.js";
import type { Transport } from "../transport/types.js";
import { say } from "../text/outcomes.js";
import { envIdOf } from "./message.js";
import { planMessage, type MessagePlan } from "./plan.js";
import { Pump } from "./pump.js";
import { commandVerb } from "./classify.js";
import type { AttemptState } from "./result.js";
import { tlsOptions, type makeProgress } from "./setup.js";
import { supplyToken } from "./token.js";
import { BodyAborted, streamPart } from "./body.js";
import type { ProbeRecord, SessionOptions } from "./types.js";

/** The core's events by name (assembly/smtp/events.ts). */
export type EventName = "ReplyReceived" | "CommandSent" | "NeedTlsUpgrade" | "NeedAccessToken" | "Authenticated"
  | "ReadyForEnvelope" | "RecipientResult" | "ReadyForBody" | "MessageAccepted" | "Failed" | "Closed" | "AuthError";
type Handlers = { readonly [E in EventName]?: (ev: CoreEvent) => void | Promise<void> };

export class Attempt {
  readonly pump: Pump;
  readonly phased: PhasedTransport | null;
  plan: MessagePlan | null = null;
  partIndex = 0;
  bytesSent = 0;
  /** QUIT is queued or sent: no new transaction starts. */
  quitting = false;
  /** QUIT already pipelined behind the last part's end (see streamPart). */
  quitPipelined = false;
  /** Nothing more will come: end the loop. */
  done = false;
  /** The last command sent, for the probe and for where a transport failure hit. */
  lastCommand = "";
  lastVerb = "";

  constructor(
    readonly o: SessionOptions,
    readonly core: Core,
    readonly mime: MimeWriter,
    readonly spec: MessageSpec,
    readonly st: AttemptState,
    readonly tr: Transport,
    private serverName: string,
    readonly probe: ProbeRecord | undefined,
    readonly progress: ReturnType<typeof makeProgress>,
  ) {
    this.pump = new Pump(core, tr);
    this.phased = "setPhase" in tr ? (tr as PhasedTransport) : null;
  }

  /** Answer one event. */
  async handle(ev: CoreEvent): Promise<void> {
    const name = ev.name as EventName;
    const light = this.light[name];
    if (light) return light(ev);
    await this.main[name]?.(ev);
  }

  /** Handle what the core queued while a body streams: a Failed ends the body at once, events
   *  that need the driver wait until the body is done. Returns how many there were. */
  takeQueued(): number {
    let handled = 0;
    for (let ev = this.core.nextEvent(); ev; ev = this.core.nextEvent()) {
      handled++;
      const light = this.light[ev.name as EventName];
      if (light) light(ev);
      else if (ev.name === "Failed") { this.recordFailure(ev); throw new BodyAborted(); }
      else this.pump.defer(ev);
    }
    return handled;
  }

  /** The MIME writer is blocked: let the SMTP side move — events first, else the server's bytes. */
  async unblock(): Promise<void> {
    if (this.takeQueued() > 0) return;
    await this.pump.readOrFail(say("DETAIL:CLOSED_WHILE_SENDING"));
  }

  quit(): void {
    if (this.quitting) return;
    this.quitting = true;
    if (this.quitPipelined) return;
    if (this.core.quit() !== 0) this.done = true;
  }

  /** Events that may arrive while the body streams. */
  private readonly light: Handlers = {
    CommandSent: (ev) => this.onCommandSent(ev),
    ReplyReceived: (ev) => this.onReply(ev),
    RecipientResult: (ev) => {
      const r = this.st.recipients[ev.index];
      if (r) Object.assign(r, { code: ev.code, enhanced: ev.enhanced, text: ev.text });
    },
    AuthError: () => { this.st.authRejected = true; },
  };

  private readonly main: Handlers = {
    NeedTlsUpgrade: () => this.upgradeTls(),
    NeedAccessToken: async () => {
      this.progress.phase("Signing in");
      const failure = await supplyToken(this.core, this.o.auth?.tokenProvider);
      if (failure) { this.st.failure = failure; this.done = true; }
    },
    Authenticated: (ev) => {
      if (this.probe) this.probe.auth = { code: ev.code, enhanced: ev.enhanced, text: ev.text };
    },
    ReadyForEnvelope: () => this.startTransaction(),
    ReadyForBody: () => streamPart(this),
    MessageAccepted: (ev) => {
      this.st.partsAccepted++;
      this.st.lastAccept = { code: ev.code, enhanced: ev.enhanced, text: ev.text };
      this.partIndex++;
      if (this.partIndex >= this.st.partsTotal) this.quit();
    },
    Failed: (ev) => {
      this.recordFailure(ev);
      if (this.probe && this.st.failure?.reason === "AuthFailed") this.probe.auth = { code: ev.code, enhanced: ev.enhanced, text: ev.text };
      this.quit();
    },
    Closed: () => { this.done = true; },
  };

  private onCommandSent(ev: CoreEvent): void {
    this.lastCommand = ev.text;
    this.lastVerb = commandVerb(ev.command);
    this.o.observer?.command?.(ev.text);
    const verb = ev.text.slice(0, 4).toUpperCase();
    const p: TimeoutPhase = verb === "MAIL" ? "mail" : verb === "RCPT" ? "rcpt" : verb === "DATA" ? "dataInit"
      : verb === "BDAT" ? "dataBlock" : ev.text === "." ? "dataTerm" : "command";
    this.phased?.setPhase(p);
    if (verb === "STAR") this.progress.phase("Securing");
    else if (verb === "AUTH") this.progress.phase("Signing in");
  }

  private onReply(ev: CoreEvent): void {
    this.phased?.replyArrived(); // a whole reply: the next one gets a fresh deadline, partial bytes never do
    if (this.probe) {
      this.probe.greeting ??= { code: ev.code, enhanced: ev.enhanced, text: ev.text };
      if (ev.code === 250 && /^EHLO /i.test(this.lastCommand)) this.probe.ehloDone = true;
    }
    this.o.observer?.reply?.(ev.code, ev.enhanced, ev.text);
  }

  private async upgradeTls(): Promise<void> {
    this.progress.phase("Securing");
    await this.pump.flush();
    this.phased?.setPhase("command");
    const info = await this.tr.upgradeTls(tlsOptions(this.o, this.serverName));
    this.st.tls = info;
    this.o.observer?.tls?.(info);
    this.core.tlsUpgraded();
  }

  /** ReadyForEnvelope: plan the message once, then MAIL FROM for the next part (or QUIT). */
  private async startTransaction(): Promise<void> {
    const { core, st, probe } = this;
    if (probe) { probe.readyForEnvelope = true; probe.caps = core.caps(); this.quit(); return; }
    if (this.quitting || st.failure) { this.quit(); return; }
    if (!this.plan) {
      this.plan = await planMessage(core, this.mime, this.spec, this.o);
      st.bodyMode = this.plan.choice;
      st.partsTotal = this.plan.parts.length;
    }
    const { parts, bodyMode, bytesTotal } = this.plan;
    const part = parts[this.partIndex];
    if (!part) { this.quit(); return; }
    const k = core.k;
    if (core.setString(k.FieldEnvId!, envIdOf(part.spec.messageId, this.partIndex, parts.length)) !== 0) core.setString(k.FieldEnvId!, "");
    const rc = await this.pump.untilNotBusy(() => core.sendEnvelope(part.size, bodyMode));
    if (rc !== 0) {
      const reason = core.nameOf("Reason", rc);
      st.failure = { code: 0, enhanced: "", text: `the core refused the envelope (${reason})`, cls: k.ClassLocal!, reason, stage: "Envelope", command: "MAIL FROM" };
      this.quit();
    } else this.progress.sending(this.bytesSent, bytesTotal, undefined, this.o.message.attachments[0]?.pageEnds?.length, this.partIndex + 1, parts.length);
  }

  private recordFailure(ev: CoreEvent): void {
    // The first failure is the cause: replies to commands pipelined behind it (a 421 "too many
    // errors" after a refused AUTH) must not overwrite it.
    if (this.st.failure) return;
    const reason = this.core.nameOf("Reason", ev.reason);
    // The state it failed in comes with the event (the core is in Failed by now), and so does
    // the command whose reply failed it.
    this.st.failure = { code: ev.code, enhanced: ev.enhanced, text: ev.text, cls: ev.cls, reason, stage: ev.stage ?? this.core.stateName(), command: commandVerb(ev.command) };
    if (reason === "AuthFailed") this.st.authRejected = true;
  }
}
