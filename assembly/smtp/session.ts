// The SMTP client state machine (RFC 5321): `onReply`, the one table that says what each reply
// to each command does, and the entry points the ABI calls. The states, the commands and the
// helpers to send and to fail are in state.ts (below this file, and below auth.ts and
// envelope.ts, the AUTH and envelope command writers); body framing is in framer.ts.
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
import { pushEvent, eventsRoomForReply, pendingPush, pendingPop,
  pendingHas, pendingClear, eventsClear, poppedWritten, setEventCmd, pendingHeadCmd } from "./queue";
import { replyFits } from "./order";
import { wireBegin, wireLit, wireBytes } from "./wire";
import { clientName, slotWipe, rcptClear, mailFrom, username, envId } from "./store";
import { inBase, outSize, outDrop } from "../core/buffers";
import { resetBodySink } from "../core/sink";
import { beginAuth, authReply } from "./auth";
import { recipientReply, enterBody, mailReply } from "./envelope";
import {
  State, Cmd, state, canQuit, txFailed, setState, setCanQuit, clearFailure, classOf, sendEnd, enterReady,
  failReply, failLocal, failDesync, wipeSecretsInside,
} from "./state";
import {
  EventReplyReceived, EventNeedTlsUpgrade, EventMessageAccepted, EventClosed, ClassOk, ClassLocal,
  ClassProtocol, ReasonReply, ReasonGreetingRefused, ReasonTlsNotOffered, ReasonTlsInjection,
  ReasonSizeExceeded, ReasonServerClosing, ReasonBadState, ReasonOutputFull,
  DetailReplyMisfit, DetailReplyEarly, DetailReplyUnasked,
} from "./events";
import { TlsPolicyRequired, CapStartTls, CapPipelining, TlsPolicyNone } from "./fields";
import { tlsPolicy, tlsActive, usePipelining, setTlsActive, configReset } from "./config";

/** QUIT went out right behind the end of the message (RFC 2920 §3.1: last in a group). */
let quitQueued = false;

function sendHello(helo: bool): void {
  wireBegin();
  wireLit(helo ? "HELO " : "EHLO ");
  if (clientName.len > 0) wireBytes(clientName.base, clientName.len);
  else wireLit("localhost");
  if (sendEnd(helo ? Cmd.Helo : Cmd.Ehlo, 0)) setState(helo ? State.Helo : State.Ehlo);
}

function sendQuit(): void {
  wireBegin();
  wireLit("QUIT");
  if (sendEnd(Cmd.Quit, 0)) setState(State.Quit);
}

/** Back to a fresh, unstarted session with default configuration (specs reuse one instance). */
export function sessionReset(): void {
  setState(State.Idle);
  configReset();
  clearFailure();
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
  setState(State.Greeting);
  return 0;
}

/** Server bytes at inBase. Returns how many were consumed (fewer when the event queue fills). */
export function sessionFeed(len: u32): u32 {
  let i: u32 = 0;
  while (i < len) {
    if (state == State.Closed || state == State.Idle || (state == State.Failed && !canQuit)) return len;
    if (state == State.TlsHandshake) {
      // CVE-2011-0411 ("STARTTLS command injection"): no plaintext byte may follow the 220
      failLocal(ReasonTlsInjection, ClassProtocol);
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
          failLocal(ReasonTlsInjection, ClassProtocol);
          return len;
        }
        pushEvent(EventNeedTlsUpgrade, 0, 0, ClassOk, 0, 0, 0, 0, 0);
      }
    } else if (r == PushError) {
      if (state != State.Failed) setEventCmd(pendingHeadCmd()); // the reply being read answers it
      if (state == State.Failed) setCanQuit(false); // already reported; just stop reading
      else failLocal(replyError, ClassProtocol); // LineTooLong, ReplyTooLong or BadReply
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
  setState(State.Rset);
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
  const desync = head < 0 ? DetailReplyUnasked : !poppedWritten ? DetailReplyEarly : !replyFits(cmd, code) ? DetailReplyMisfit : 0;
  if (desync != 0) {
    if (state == State.Quit) closed(); // leaving anyway; the outcome is already decided
    else if (state == State.Failed) setCanQuit(false); // already reported; stop talking
    else failDesync(desync, code);
    return;
  }
  if (state == State.Failed || state == State.Quit || state == State.Rset) { // draining replies
    if (cmd == Cmd.Quit) closed();
    else if (cmd == Cmd.Rset) {
      if (positive) enterReady();
      else failReply(ReasonReply, true);
    }
    else if (cmd == Cmd.Data && code == 354) setCanQuit(false); // server now reads message text
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
      if (code == 220) setState(State.TlsHandshake); // sessionFeed reports NeedTlsUpgrade
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
        if (quitQueued) setState(State.Quit);
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
  setState(State.Closed);
  setCanQuit(false);
  wipeSecretsInside();
  pushEvent(EventClosed, replyCode, 0, ClassOk, 0, 0, 0, 0, 0);
}

/** EHLO/HELO done: STARTTLS per policy (never downgrade when required), then AUTH. */
function afterHello(): void {
  if (!tlsActive && tlsPolicy != TlsPolicyNone) {
    if ((capFlags & CapStartTls) != 0) {
      wireBegin();
      wireLit("STARTTLS");
      if (sendEnd(Cmd.StartTls, 0)) setState(State.StartTls);
      return;
    }
    if (tlsPolicy == TlsPolicyRequired) {
      failLocal(ReasonTlsNotOffered, ClassLocal);
      return;
    }
  }
  beginAuth();
}
