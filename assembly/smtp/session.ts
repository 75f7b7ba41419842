// The SMTP client state machine (RFC 5321). Everything that changes the session's state is in
// this file: the list of states, the list of commands that wait for a reply, and `onReply`, the
// one table that says what each reply to each command does. Body framing is in framer.ts, the
// envelope and AUTH command writers in envelope.ts and auth.ts.
//
//   Greeting ─220→ Ehlo ─250→ [StartTls ─220→ TlsHandshake ─tlsUpgraded()→ Ehlo]
//            ─→ [NeedToken ─accessToken()→] [Auth ─235→] Ready ─sendEnvelope()→ Envelope
//            ─(354 | all RCPT replies for BDAT)→ Body ─bodyEnd()→ BodyEnd ─250→ Ready
//   Ready ─quit()→ Quit ─221→ Closed.   BodyEnd ─quit()→ (QUIT pipelined) ─250→ Quit ─221→ Closed
//   Any failure → Failed: terminal, but quit() may still say goodbye, and after a failed
//   transaction rset() → Rset ─250→ Ready for the next message on the same connection.
import { replyPush, replyReset, replyCode, replyError, PushLine, PushReply, PushError,
  textPtr, textLen, enhBuf, enhLen, replyLines, setReplyCaps, DefaultReplyMaxLines, DefaultReplyMaxBytes } from "./reply";
import { capsClear, capsLine, capFlags } from "./caps";
import { pushEvent, pushEventLit, eventsRoomForReply, pendingPush, pendingPop,
  pendingHas, pendingClear, eventsClear, poppedWritten, eventCmd, setEventCmd, pendingHeadCmd } from "./queue";
import { replyFits, desyncText, Desync } from "./order";
import { wireBegin, wireLit, wireBytes, wireEnd, wireStart, wireLen } from "./wire";
import { clientName, password, token, slotWipe, rcptClear, mailFrom, username, envId, scratch } from "./store";
import { inBase, outBase, outSize, outUsed, outDrop } from "../core/buffers";
import { resetBodySink } from "../core/sink";
import { beginAuth, authReply } from "./auth";
import { recipientReply, enterBody, mailReply } from "./envelope";
import {
  EventReplyReceived, EventCommandSent, EventNeedTlsUpgrade, EventReadyForEnvelope,
  EventMessageAccepted, EventFailed, EventClosed,
  ClassOk, ClassTransient, ClassPermanent, ClassProtocol, ClassLocal,
  ReasonReply, ReasonGreetingRefused, ReasonTlsNotOffered, ReasonTlsInjection, ReasonSizeExceeded,
  ReasonServerClosing, ReasonBadState, ReasonOutputFull, ReasonUnexpectedReply, ReasonReplyTooLong,
  ReasonLineTooLong, CmdGreeting, CmdEhlo, CmdHelo, CmdStartTls, CmdAuth, CmdMail, CmdRcpt, CmdData,
  CmdDataEnd, CmdBdat, CmdBdatLast, CmdRset, CmdQuit,
} from "./events";
import { TlsPolicyRequired, CapStartTls, CapPipelining, TlsPolicyNone } from "./fields";
import { tlsPolicy, tlsActive, usePipelining, setTlsActive, configReset } from "./config";

export enum State {
  Idle,          // configured; start() not called yet
  Greeting,      // connected, waiting for the 220 greeting (RFC 5321 §4.3.1)
  Ehlo,          // EHLO sent (again after TLS)
  Helo,          // HELO sent after EHLO was not recognised (RFC 5321 §4.1.4)
  StartTls,      // STARTTLS sent (RFC 3207)
  TlsHandshake,  // host is running the TLS handshake: no server byte may arrive now
  NeedToken,     // waiting for accessToken() (XOAUTH2)
  Auth,          // AUTH exchange (RFC 4954)
  Ready,         // may send a message (or QUIT)
  Envelope,      // MAIL FROM / RCPT TO / DATA replies outstanding
  Body,          // host writes the message body
  BodyEnd,       // end of data sent, waiting for the final reply
  Rset,          // RSET sent after a failed transaction, to send the next message
  Quit,          // QUIT sent
  Closed,        // terminal: QUIT answered
  Failed,        // terminal: a Failed event said why
}

/** Commands that wait for a reply, queued in send order (RFC 2920 §3: replies come in order).
 *  The numbers are the exported Cmd* constants (events.ts): the host reads evCommand() by them. */
export enum Cmd {
  Greeting = CmdGreeting, Ehlo = CmdEhlo, Helo = CmdHelo, StartTls = CmdStartTls, Auth = CmdAuth,
  Mail = CmdMail, Rcpt = CmdRcpt, Data = CmdData, DataEnd = CmdDataEnd, Bdat = CmdBdat,
  BdatLast = CmdBdatLast, Rset = CmdRset, Quit = CmdQuit,
}

export let state: State = State.Idle;
/** After a Failed event: may QUIT still be sent (the server is in a command state)? */
export let canQuit = false;
/** The failure ended only the mail transaction: RSET can make the session Ready again. */
let txFailed = false;
/** QUIT went out right behind the end of the message (RFC 2920 §3.1: last in a group). */
let quitQueued = false;

export function setState(s: State): void { state = s; }

/** Reply class from the first digit (RFC 5321 §4.2.1). 3yz is an intermediate positive reply. */
export function classOf(code: i32): i32 {
  const d = code / 100;
  if (d == 2 || d == 3) return ClassOk;
  if (d == 4) return ClassTransient;
  if (d == 5) return ClassPermanent;
  return ClassProtocol;
}

// ── sending ────────────────────────────────────────────────────────────────────────────────
/** Finish the command begun with wireBegin(), queue its reply slot and a CommandSent event. */
export function sendEnd(cmd: Cmd, index: i32): bool {
  if (!wireEnd()) {
    failLocal(ReasonOutputFull, ClassLocal, "the output buffer is too small for the next command");
    return false;
  }
  pendingPush(cmd, index);
  const answering = eventCmd;
  setEventCmd(cmd);
  pushEvent(EventCommandSent, 0, index, ClassOk, 0, wireStart(), wireLen(), 0, 0);
  setEventCmd(answering);
  return true;
}

/** The same, for lines that carry a secret: the event shows a redacted text. */
export function sendEndSecret(cmd: Cmd, redacted: string): bool {
  if (!wireEnd()) {
    failLocal(ReasonOutputFull, ClassLocal, "the output buffer is too small for the AUTH line");
    return false;
  }
  pendingPush(cmd, 0);
  const answering = eventCmd;
  setEventCmd(cmd);
  pushEventLit(EventCommandSent, 0, 0, ClassOk, 0, redacted);
  setEventCmd(answering);
  return true;
}

function sendHello(helo: bool): void {
  wireBegin();
  wireLit(helo ? "HELO " : "EHLO ");
  if (clientName.len > 0) wireBytes(clientName.base, clientName.len);
  else wireLit("localhost");
  if (sendEnd(helo ? Cmd.Helo : Cmd.Ehlo, 0)) state = helo ? State.Helo : State.Ehlo;
}

export function sendQuit(): void {
  wireBegin();
  wireLit("QUIT");
  if (sendEnd(Cmd.Quit, 0)) state = State.Quit;
}

export function enterReady(): void {
  state = State.Ready;
  pushEventLit(EventReadyForEnvelope, 0, 0, ClassOk, 0, "");
}

// ── failing ────────────────────────────────────────────────────────────────────────────────
/** Fail because of the reply just parsed: its code, enhanced code and text go into the event. */
export function failReply(reason: i32, quitOk: bool): void {
  const stage = <i32>state;
  enterFailed(quitOk);
  pushEvent(EventFailed, replyCode, stage, classOf(replyCode), reason, textPtr(), textLen, enhBuf, enhLen);
}

/** Fail for a local or protocol reason, with a plain-words message for the panel. */
export function failLocal(reason: i32, cls: i32, msg: string): void {
  const stage = <i32>state;
  enterFailed(cls != ClassProtocol && reason != ReasonTlsInjection);
  pushEventLit(EventFailed, 0, stage, cls, reason, msg);
}

/** The server answered out of order (order.ts): a protocol error, and the connection is closed
 *  without QUIT — after a desync no reply can be matched to its command any more. */
function failDesync(kind: Desync, cmd: Cmd, code: i32): void {
  const stage = <i32>state;
  enterFailed(false);
  pushEvent(EventFailed, code, stage, ClassProtocol, ReasonUnexpectedReply, scratch, desyncText(kind, cmd, code), 0, 0);
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
  memory.fill(outBase + outUsed, 0, outSize - outUsed);
}

/** Back to a fresh, unstarted session with default configuration (specs reuse one instance). */
export function sessionReset(): void {
  state = State.Idle;
  configReset();
  canQuit = false;
  txFailed = false;
  quitQueued = false;
  capsClear();
  replyReset();
  pendingClear();
  eventsClear();
  resetBodySink();
  outDrop(outSize);
  wipeSecretsInside();
  rcptClear();
  slotWipe(mailFrom);
  slotWipe(username);
  slotWipe(clientName);
  slotWipe(envId);
  setReplyCaps(DefaultReplyMaxLines, DefaultReplyMaxBytes);
  setEventCmd(0);
}

// ── entry points ───────────────────────────────────────────────────────────────────────────
export function sessionStart(): i32 {
  if (state != State.Idle) return ReasonBadState;
  replyReset();
  pendingClear();
  eventsClear();
  pendingPush(Cmd.Greeting, 0);
  state = State.Greeting;
  return 0;
}

/** Server bytes at inBase. Returns how many were consumed (fewer when the event queue fills). */
export function sessionFeed(len: u32): u32 {
  let i: u32 = 0;
  while (i < len) {
    if (state == State.Closed || state == State.Idle || (state == State.Failed && !canQuit)) return len;
    if (state == State.TlsHandshake) {
      // CVE-2011-0411 ("STARTTLS command injection"): no plaintext byte may follow the 220
      failLocal(ReasonTlsInjection, ClassProtocol, "the server sent data right after agreeing to start TLS (possible injection attack)");
      return len;
    }
    if (!eventsRoomForReply()) return i;
    const r = replyPush(load<u8>(inBase + i));
    i++;
    if (r == PushLine) onLine();
    else if (r == PushReply) {
      onLine();
      onReply();
      setEventCmd(0);
      if (state == State.TlsHandshake) {
        // The 220 must be the last plaintext byte (RFC 3207 §4.2: nothing from before TLS may be
        // trusted). Anything after it in the same read was injected by a man in the middle
        // (CVE-2011-0411, "STARTTLS command injection"): fail before the host starts the handshake.
        if (i < len) {
          failLocal(ReasonTlsInjection, ClassProtocol, "the server sent data right after agreeing to start TLS (possible injection attack)");
          return len;
        }
        pushEventLit(EventNeedTlsUpgrade, 0, 0, ClassOk, 0, "");
      }
    } else if (r == PushError) {
      if (state != State.Failed) setEventCmd(pendingHeadCmd()); // the reply being read answers it
      if (state == State.Failed) canQuit = false; // already reported; just stop reading
      else if (replyError == ReasonReplyTooLong) failLocal(replyError, ClassProtocol, "the server's reply is longer than the board allows (lines or bytes per reply)");
      else if (replyError == ReasonLineTooLong) failLocal(replyError, ClassProtocol, "a line of the server's reply is longer than the board allows");
      else failLocal(replyError, ClassProtocol, "the server's reply is not valid SMTP");
      setEventCmd(0);
      return len;
    }
  }
  return i;
}

/** Each completed line: EHLO extension lines fill the capability table. */
function onLine(): void {
  if (state == State.Ehlo && replyCode == 250 && replyLines > 1) capsLine(textPtr(), textLen);
}

export function sessionTlsUpgraded(): i32 {
  if (state != State.TlsHandshake) return ReasonBadState;
  setTlsActive(true);
  capsClear();      // RFC 3207 §4.2: forget everything learned before TLS
  replyReset();
  sendHello(false); // … and EHLO again
  return 0;
}

export function sessionQuit(): i32 {
  if (quitQueued && (state == State.Failed || state == State.Quit)) return 0; // already on its way
  if (state == State.Ready || (state == State.Failed && canQuit && !pendingHas(Cmd.Data))) {
    sendQuit();
    return 0;
  }
  // With PIPELINING, QUIT may follow the end of the message in the same write: one round trip
  // less per session (RFC 2920 §3.1). The final reply still decides MessageAccepted or Failed.
  if (state == State.BodyEnd && !quitQueued && usePipelining && (capFlags & CapPipelining) != 0) {
    wireBegin();
    wireLit("QUIT");
    if (!sendEnd(Cmd.Quit, 0)) return ReasonOutputFull;
    quitQueued = true;
    return 0;
  }
  return ReasonBadState;
}

/** After a Failed event that ended only the transaction: RSET (RFC 5321 §4.1.1.5), then Ready. */
export function sessionRset(): i32 {
  if (state != State.Failed || !canQuit || !txFailed || pendingHas(Cmd.Data)) return ReasonBadState;
  wireBegin();
  wireLit("RSET");
  if (!sendEnd(Cmd.Rset, 0)) return ReasonOutputFull;
  state = State.Rset;
  return 0;
}

// ── the reply table ────────────────────────────────────────────────────────────────────────
function onReply(): void {
  const code = replyCode;
  const positive = code / 100 == 2;
  const head = pendingPop();
  const cmd = <Cmd>(head < 0 ? 0 : head & 0xff);
  const index = head >> 8;
  setEventCmd(cmd); // every event of this reply names the command it answers
  pushEvent(EventReplyReceived, code, 0, classOf(code), 0, textPtr(), textLen, enhBuf, enhLen);
  if (code == 421) { // RFC 5321 §3.8: the server is closing the channel, whatever we asked
    if (state == State.Quit) { closed(); return; }
    failReply(ReasonServerClosing, false);
    return;
  }
  const desync = head < 0 ? Desync.Unasked : !poppedWritten ? Desync.Early : !replyFits(cmd, code) ? Desync.Misfit : -1;
  if (desync >= 0) {
    if (state == State.Quit) closed(); // leaving anyway; the outcome is already decided
    else if (state == State.Failed) canQuit = false; // already reported; stop talking
    else failDesync(<Desync>desync, cmd, code);
    return;
  }
  if (state == State.Failed || state == State.Quit || state == State.Rset) { // draining replies
    if (cmd == Cmd.Quit) closed();
    else if (cmd == Cmd.Rset) {
      if (positive) enterReady();
      else failReply(ReasonReply, true);
    }
    else if (cmd == Cmd.Data && code == 354) canQuit = false; // server now reads message text
    return;
  }
  switch (cmd) {
    case Cmd.Greeting:
      if (code == 220) sendHello(false);
      else failReply(ReasonGreetingRefused, positive); // 554: no SMTP service here
      break;
    case Cmd.Ehlo:
      if (positive) afterHello();
      else if (code == 500 || code == 502) { capsClear(); sendHello(true); } // RFC 5321 §4.1.4
      else failReply(ReasonReply, true);
      break;
    case Cmd.Helo:
      if (positive) { capsClear(); afterHello(); } else failReply(ReasonReply, true);
      break;
    case Cmd.StartTls:
      if (code == 220) state = State.TlsHandshake; // sessionFeed reports NeedTlsUpgrade
      else if (tlsPolicy == TlsPolicyRequired) failReply(ReasonTlsNotOffered, true);
      else beginAuth(); // opportunistic: the client decides whether to go on (RFC 3207 §4)
      break;
    case Cmd.Auth:
      authReply(code);
      break;
    case Cmd.Mail:
      if (positive) mailReply();
      else failReply(sizeOrReply(code), true);
      break;
    case Cmd.Rcpt:
      recipientReply(index, code);
      break;
    case Cmd.Data:
      if (code == 354) enterBody();
      else failReply(ReasonReply, true);
      break;
    case Cmd.Bdat:
      if (!positive) failReply(sizeOrReply(code), true); // RFC 3030 §2: the transaction is void
      break;
    case Cmd.DataEnd:
    case Cmd.BdatLast:
      if (positive) {
        pushEvent(EventMessageAccepted, code, 0, ClassOk, 0, textPtr(), textLen, enhBuf, enhLen);
        if (quitQueued) state = State.Quit;
        else enterReady();
      } else failReply(sizeOrReply(code), true);
      break;
    case Cmd.Quit:
      closed();
      break;
  }
}

/** 552 / x.3.4: the message is too big for the server (RFC 1870 §6, RFC 3463 §3.4). */
function sizeOrReply(code: i32): i32 {
  if (code == 552) return ReasonSizeExceeded;
  if (enhLen == 5 && load<u8>(enhBuf + 2) == 0x33 && load<u8>(enhBuf + 4) == 0x34) return ReasonSizeExceeded;
  return ReasonReply;
}

function closed(): void {
  state = State.Closed;
  canQuit = false;
  wipeSecretsInside();
  pushEventLit(EventClosed, replyCode, 0, ClassOk, 0, "");
}

/** EHLO/HELO done: STARTTLS per policy (never downgrade when required), then AUTH. */
function afterHello(): void {
  if (!tlsActive && tlsPolicy != TlsPolicyNone) {
    if ((capFlags & CapStartTls) != 0) {
      wireBegin();
      wireLit("STARTTLS");
      if (sendEnd(Cmd.StartTls, 0)) state = State.StartTls;
      return;
    }
    if (tlsPolicy == TlsPolicyRequired) {
      failLocal(ReasonTlsNotOffered, ClassLocal, "TLS is required but the server does not offer STARTTLS");
      return;
    }
  }
  beginAuth();
}
