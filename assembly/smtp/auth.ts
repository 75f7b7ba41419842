// SMTP AUTH (RFC 4954) on top of the SASL writers in assembly/sasl/. Credentials never leave
// before TLS unless the configuration explicitly allows it, and are wiped once used.
import { State, Cmd, state, setState, sendEnd, failReply, failLocal, enterReady, wipeSecretsInside } from "./state";
import { tlsActive, allowPlaintextAuth, authAllowed, pipelineAuth, usePipelining } from "./config";
import { capAuth, capFlags } from "./caps";
import { CapPipelining } from "./fields";
import { username, password, token, slotWipe, scratch } from "./store";
import { wireBegin, wireLit, wireReserve } from "./wire";
import { textPtr, textLen } from "./reply";
import { pushEvent } from "./queue";
import { eventTextMax } from "../core/buffers";
import { b64Decode } from "../sasl/base64";
import { plainLen, writePlain, xoauth2Len, writeXoauth2, writeLoginItem } from "../sasl/mechs";
import { b64EncodedLen } from "../sasl/base64";
import { MechPlain, MechLogin, MechXoauth2 } from "./fields";
import {
  EventNeedAccessToken, EventAuthenticated, EventAuthError, ClassOk, ClassLocal,
  ReasonAuthFailed, ReasonNoAuthMechanism, ReasonPlaintextAuthRefused, ReasonUnexpectedReply,
  ClassProtocol, ReasonBadState, DetailChallenge,
} from "./events";

export let mech: i32 = 0;  // the Mech* chosen for this session
let step: i32 = 0;         // 334 challenges answered so far
/** AUTH PLAIN is out and the envelope may follow before its 235 (FieldPipelineAuth). */
let authAhead = false;

/** After EHLO (and STARTTLS): authenticate if the configuration asks for it. */
export function beginAuth(): void {
  if (authAllowed == 0) { enterReady(); return; }
  if (!tlsActive && !allowPlaintextAuth) {
    failLocal(ReasonPlaintextAuthRefused, ClassLocal);
    return;
  }
  const usable = capAuth & authAllowed;
  if (usable == 0) {
    failLocal(ReasonNoAuthMechanism, ClassLocal);
    return;
  }
  // strongest first: OAuth bearer tokens over reusable passwords; PLAIN before LOGIN (one round trip)
  mech = (usable & MechXoauth2) != 0 ? MechXoauth2 : (usable & MechPlain) != 0 ? MechPlain : MechLogin;
  step = 0;
  authAhead = false;
  if (mech == MechXoauth2) {
    setState(State.NeedToken);
    pushEvent(EventNeedAccessToken, 0, 0, ClassOk, 0, 0, 0, 0, 0);
    return;
  }
  sendAuth();
}

/** The host delivered a fresh token (already stored in `token`). */
export function tokenArrived(): i32 {
  if (state != State.NeedToken) return ReasonBadState;
  sendAuth();
  return 0;
}

function sendAuth(): void {
  setState(State.Auth);
  wireBegin();
  if (mech == MechPlain) {
    wireLit("AUTH PLAIN "); // RFC 4954 §4 initial response: one round trip
    const n = plainLen(username.len, password.len);
    const p = wireReserve(n);
    if (p) writePlain(p, username.base, username.len, password.base, password.len);
    slotWipe(password);
    sendEnd(Cmd.Auth, 0, "AUTH PLAIN ****");
    // RFC 4954 §4: AUTH with an initial response for a one-round-trip mechanism without a
    // security layer (PLAIN) need not end a pipelined group: MAIL, RCPT and the body may follow
    // at once. Opt-in, because ReadyForEnvelope then comes before the 235 (the doctor's probe
    // stops at ReadyForEnvelope and must see the 235 first).
    if (pipelineAuth && usePipelining && (capFlags & CapPipelining) != 0) {
      authAhead = true;
      enterReady();
    }
  } else if (mech == MechXoauth2) {
    wireLit("AUTH XOAUTH2 ");
    const n = xoauth2Len(username.len, token.len);
    const p = wireReserve(n);
    if (p) writeXoauth2(p, username.base, username.len, token.base, token.len);
    slotWipe(token);
    sendEnd(Cmd.Auth, 0, "AUTH XOAUTH2 ****");
  } else {
    wireLit("AUTH LOGIN");
    sendEnd(Cmd.Auth, 0, "AUTH LOGIN");
  }
}

function sendLoginItem(src: usize, len: u32, redacted: string): void {
  wireBegin();
  const p = wireReserve(b64EncodedLen(len));
  if (p) writeLoginItem(p, src, len);
  sendEnd(Cmd.Auth, 0, redacted);
}

/** A reply to AUTH or to one of our continuation lines. */
export function authReply(code: i32): void {
  if (code == 235) { // RFC 4954 §6
    wipeSecretsInside();
    pushEvent(EventAuthenticated, code, 0, ClassOk, 0, 0, 0, 0, 0);
    if (!authAhead) enterReady();
    authAhead = false;
    return;
  }
  if (authAhead) {
    // The envelope already followed: fail the whole session as an AUTH failure (the replies to
    // the pipelined commands are drained and dropped).
    authAhead = false;
    setState(State.Auth);
    failReply(ReasonAuthFailed, true);
    return;
  }
  if (code != 334) {
    // 535 5.7.139 etc.; 454 is transient (classOf decides)
    failReply(ReasonAuthFailed, true);
    return;
  }
  step++;
  if (mech == MechLogin && step == 1) {
    sendLoginItem(username.base, username.len, "**** (username)");
  } else if (mech == MechLogin && step == 2) {
    sendLoginItem(password.base, password.len, "**** (password)");
    slotWipe(password);
  } else if (mech == MechXoauth2 && step == 1) {
    // The server's error challenge is base64 JSON ({"status":"401",…}); report it decoded and
    // send an empty line so the server ends the exchange with its final 5xx.
    const n = b64Decode(textPtr(), textLen, scratch, eventTextMax);
    pushEvent(EventAuthError, code, 0, ClassOk, 0, n >= 0 ? scratch : textPtr(), n >= 0 ? <u32>n : textLen, 0, 0);
    wireBegin();
    sendEnd(Cmd.Auth, 0);
  } else {
    failLocal(ReasonUnexpectedReply, ClassProtocol, DetailChallenge);
  }
}
