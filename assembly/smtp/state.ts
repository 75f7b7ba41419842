// The bottom of the SMTP session: the list of states, the list of commands that wait for a
// reply, and the helpers every part of the session uses to send a command and to fail. The state
// machine (session.ts), AUTH (auth.ts) and the envelope (envelope.ts) import this file and never
// each other, so the session has no import circle: session → auth/envelope → state.
//
// Failures carry numbers, never sentences: reason, class, the command they answer (event
// `command`), the State they happened in (event `index`) and, where one reason has several
// causes, a Detail*. The host turns those into words (host/core/failure-text.ts).
import { replyCode, textPtr, textLen, enhBuf, enhLen } from "./reply";
import { pushEvent, pushEventLit, pendingPush, eventCmd, setEventCmd } from "./queue";
import { wireEnd, wireStart, wireLen } from "./wire";
import { password, token, slotWipe } from "./store";
import { outReserve, outFree } from "../core/buffers";
import { resetBodySink } from "../core/sink";
import {
  EventCommandSent, EventReadyForEnvelope, EventFailed, ClassOk, ClassTransient, ClassPermanent,
  ClassProtocol, ClassLocal, ReasonOutputFull, ReasonTlsInjection, ReasonUnexpectedReply,
  CmdGreeting, CmdEhlo, CmdHelo, CmdStartTls, CmdAuth, CmdMail, CmdRcpt, CmdData, CmdDataEnd,
  CmdBdat, CmdBdatLast, CmdRset, CmdQuit, StateIdle, StateGreeting, StateEhlo, StateHelo, StateStartTls,
  StateTlsHandshake, StateNeedToken, StateAuth, StateReady, StateEnvelope, StateBody, StateBodyEnd,
  StateRset, StateQuit, StateClosed, StateFailed,
} from "./events";

export enum State {
  Idle = StateIdle,                 // configured; start() not called yet
  Greeting = StateGreeting,         // connected, waiting for the 220 greeting (RFC 5321 §4.3.1)
  Ehlo = StateEhlo,                 // EHLO sent (again after TLS)
  Helo = StateHelo,                 // HELO sent after EHLO was not recognised (RFC 5321 §4.1.4)
  StartTls = StateStartTls,         // STARTTLS sent (RFC 3207)
  TlsHandshake = StateTlsHandshake, // host is running the TLS handshake: no server byte may arrive now
  NeedToken = StateNeedToken,       // waiting for accessToken() (XOAUTH2)
  Auth = StateAuth,                 // AUTH exchange (RFC 4954)
  Ready = StateReady,               // may send a message (or QUIT)
  Envelope = StateEnvelope,         // MAIL FROM / RCPT TO / DATA replies outstanding
  Body = StateBody,                 // host writes the message body
  BodyEnd = StateBodyEnd,           // end of data sent, waiting for the final reply
  Rset = StateRset,                 // RSET sent after a failed transaction, to send the next message
  Quit = StateQuit,                 // QUIT sent
  Closed = StateClosed,             // terminal: QUIT answered
  Failed = StateFailed,             // terminal: a Failed event said why
}

/** Commands that wait for a reply, queued in send order (RFC 2920 §3: replies come in order).
 *  The numbers are the exported Cmd* constants (events.ts): the host reads the event's command by them. */
export enum Cmd {
  Greeting = CmdGreeting, Ehlo = CmdEhlo, Helo = CmdHelo, StartTls = CmdStartTls, Auth = CmdAuth,
  Mail = CmdMail, Rcpt = CmdRcpt, Data = CmdData, DataEnd = CmdDataEnd, Bdat = CmdBdat,
  BdatLast = CmdBdatLast, Rset = CmdRset, Quit = CmdQuit,
}

export let state: State = State.Idle;
/** After a Failed event: may QUIT still be sent (the server is in a command state)? */
export let canQuit = false;
/** The failure ended only the mail transaction: RSET can make the session Ready again. */
export let txFailed = false;

export function setState(s: State): void { state = s; }
export function setCanQuit(v: bool): void { canQuit = v; }
export function clearFailure(): void { canQuit = false; txFailed = false; }

/** Reply class from the first digit (RFC 5321 §4.2.1). 3yz is an intermediate positive reply. */
export function classOf(code: i32): i32 {
  const d = code / 100;
  if (d == 2 || d == 3) return ClassOk;
  if (d == 4) return ClassTransient;
  if (d == 5) return ClassPermanent;
  return ClassProtocol;
}

// ── sending ────────────────────────────────────────────────────────────────────────────────
/** Finish the command begun with wireBegin(), queue its reply slot and a CommandSent event whose
 *  text is the line itself, or `redacted` for a line that carries a secret. */
export function sendEnd(cmd: Cmd, index: i32, redacted: string | null = null): bool {
  if (!wireEnd()) {
    failLocal(ReasonOutputFull, ClassLocal);
    return false;
  }
  pendingPush(cmd, index);
  const answering = eventCmd;
  setEventCmd(cmd);
  if (redacted === null) pushEvent(EventCommandSent, 0, index, ClassOk, 0, wireStart(), wireLen(), 0, 0);
  else pushEventLit(EventCommandSent, 0, 0, ClassOk, 0, redacted);
  setEventCmd(answering);
  return true;
}

export function enterReady(): void {
  state = State.Ready;
  pushEvent(EventReadyForEnvelope, 0, 0, ClassOk, 0, 0, 0, 0, 0);
}

// ── failing ────────────────────────────────────────────────────────────────────────────────
/** Fail because of the reply just parsed: its code, enhanced code and text go into the event. */
export function failReply(reason: i32, quitOk: bool): void {
  const stage = <i32>state;
  enterFailed(quitOk);
  pushEvent(EventFailed, replyCode, stage, classOf(replyCode), reason, textPtr(), textLen, enhBuf, enhLen);
}

/** Fail for a local or protocol reason (no server text); `detail` tells causes of one reason
 *  apart (Detail* in events.ts). */
export function failLocal(reason: i32, cls: i32, detail: i32 = 0): void {
  const stage = <i32>state;
  enterFailed(cls != ClassProtocol && reason != ReasonTlsInjection);
  pushEvent(EventFailed, 0, stage, cls, reason, 0, 0, 0, 0, detail);
}

/** The server answered out of order (order.ts): a protocol error, and the connection is closed
 *  without QUIT — after a desync no reply can be matched to its command any more. The event
 *  names the command the reply was matched to (`command`, 0 when none was outstanding), the
 *  reply code and how it was out of order (`detail`, a Detail*). */
export function failDesync(detail: i32, code: i32): void {
  const stage = <i32>state;
  enterFailed(false);
  pushEvent(EventFailed, code, stage, ClassProtocol, ReasonUnexpectedReply, 0, 0, 0, 0, detail);
}

function enterFailed(quitOk: bool): void {
  txFailed = state == State.Ready || state == State.Envelope || state == State.Body || state == State.BodyEnd;
  state = State.Failed;
  canQuit = quitOk;
  resetBodySink();
  wipeSecretsInside();
}

/** Zero every credential the core holds, and the free part of the output buffer (an AUTH
 *  line the host already sent may linger there after outConsume). Safe inside feed(). */
export function wipeSecretsInside(): void {
  slotWipe(password);
  slotWipe(token);
  memory.fill(outReserve(0), 0, outFree());
}
