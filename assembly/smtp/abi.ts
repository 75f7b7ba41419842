// SMTP session exports (see assembly/index.ts for the whole ABI and the calling order).
// Thin: check arguments, move bytes between the staging area and the session, return a status
// (core/status.ts: 0 = done, StatusBusy = drain the output and the events, then call again, a
// Reason* = refused, nothing changed).
import { inBase, inSize, configured } from "../core/buffers";
import {
  carveSession, clientName, username, password, mailFrom, token, envId, slotSet, slotWipe,
  rcptAdd, rcptClear,
} from "./store";
import { xtextLen, xtextEncode } from "./xtext";
import { setReplyCaps, replyMaxLines, replyMaxBytes } from "./reply";
import { carveEvents, carvePending, popEvent } from "./queue";
import { sessionStart, sessionFeed, sessionTlsUpgraded, sessionQuit, sessionRset } from "./session";
import { State, state, wipeSecretsInside } from "./state";
import { mimeSetInt } from "../mime/abi";
import {
  setTlsPolicy, setAuthAllowed, setAllowPlaintextAuth, setUsePipelining, setAllRecipientsRequired,
  setTlsActive, setBdatChunkMax, setSmtpUtf8, setPipelineAuth, setDsnWanted,
} from "./config";
import { tokenArrived } from "./auth";
import * as envelope from "./envelope";
import {
  FieldClientName, FieldUsername, FieldPassword, FieldMailFrom, FieldRcptTo, FieldClearRecipients,
  FieldTlsPolicy, FieldAuthMechs, FieldAllowPlaintextAuth, FieldUsePipelining,
  FieldAllRecipientsRequired, FieldTlsActive, FieldBdatChunk, FieldSmtpUtf8, FieldPipelineAuth, FieldBdatWindow,
  FieldEnvId, FieldReplyMaxLines, FieldReplyMaxBytes, FieldDsn, TlsPolicyNone, TlsPolicyRequired, MechPlain, MechLogin, MechXoauth2,
} from "./fields";
import { ReasonBadState, ReasonBadArgument } from "./events";
import { setWindowBytes } from "./chunks";

function ready(): bool {
  if (!configured) return false;
  carveSession();
  carveEvents();
  carvePending();
  return true;
}

/** Bytes that may not appear in a command argument: controls (CR, LF, NUL …), and for paths < >. */
function argumentOk(len: u32, path: bool, ascii: bool = false): bool {
  for (let i: u32 = 0; i < len; i++) {
    const c = load<u8>(inBase + i);
    if (c < 0x20 || c == 0x7f || (ascii && c >= 0x80)) return false;
    if (path && (c == 0x3c || c == 0x3e || c == 0x20)) return false;
    if (path && c >= 0x80) setSmtpUtf8(true); // a UTF-8 address needs SMTPUTF8 (RFC 6531)
  }
  return true;
}

/** Config string from the staging area: 0 ok, ReasonBadArgument (too long / forbidden byte), ReasonBadState. */
export function setString(field: i32, len: u32): i32 {
  if (!ready()) return ReasonBadState;
  if (len > inSize) return ReasonBadArgument;
  let ok = false;
  if (field == FieldClearRecipients) { rcptClear(); return 0; }
  if (field == FieldPassword) {
    ok = argumentOk(len, false) && slotSet(password, inBase, len);
    memory.fill(inBase, 0, len); // the staging copy of a secret goes at once
    return ok ? 0 : ReasonBadArgument;
  }
  // the EHLO name is a domain (A-labels: the host converts IDNs) or an address literal
  if (field == FieldClientName) ok = argumentOk(len, true, true) && slotSet(clientName, inBase, len);
  else if (field == FieldUsername) ok = argumentOk(len, false) && slotSet(username, inBase, len);
  else if (field == FieldMailFrom) ok = argumentOk(len, true) && slotSet(mailFrom, inBase, len);
  else if (field == FieldRcptTo) ok = len > 0 && argumentOk(len, true) && rcptAdd(inBase, len);
  else if (field == FieldEnvId) {
    // RFC 3461 §4.4: printable US-ASCII, sent as xtext, at most 100 characters on the wire
    if (!argumentOk(len, false, true) || xtextLen(inBase, len) > envId.cap) return ReasonBadArgument;
    envId.len = xtextEncode(envId.base, inBase, len);
    return 0;
  }
  return ok ? 0 : ReasonBadArgument;
}

/** Config number: 0 ok, ReasonBadArgument, ReasonBadState; FieldMime* go to the MIME writer. */
export function setInt(field: i32, value: i32): i32 {
  if (!ready()) return ReasonBadState;
  const mime = mimeSetInt(field, value);
  if (mime >= 0) return mime;
  if (field == FieldTlsPolicy) {
    if (value < TlsPolicyNone || value > TlsPolicyRequired) return ReasonBadArgument;
    setTlsPolicy(value);
  } else if (field == FieldAuthMechs) {
    if ((value & ~(MechPlain | MechLogin | MechXoauth2)) != 0) return ReasonBadArgument;
    setAuthAllowed(value);
  } else if (field == FieldAllowPlaintextAuth) setAllowPlaintextAuth(value != 0);
  else if (field == FieldUsePipelining) setUsePipelining(value != 0);
  else if (field == FieldAllRecipientsRequired) setAllRecipientsRequired(value != 0);
  else if (field == FieldTlsActive) {
    if (state != State.Idle) return ReasonBadState;
    setTlsActive(value != 0);
  } else if (field == FieldBdatChunk) {
    if (value < 0) return ReasonBadArgument;
    setBdatChunkMax(<u32>value);
  } else if (field == FieldSmtpUtf8) setSmtpUtf8(value != 0);
  else if (field == FieldPipelineAuth) setPipelineAuth(value != 0);
  else if (field == FieldDsn) setDsnWanted(value != 0);
  else if (field == FieldReplyMaxLines) {
    if (value < 1) return ReasonBadArgument;
    setReplyCaps(<u32>value, replyMaxBytes);
  } else if (field == FieldReplyMaxBytes) {
    if (value < 512) return ReasonBadArgument; // one reply line of RFC 5321 §4.5.3.1.5's 512 must fit
    setReplyCaps(replyMaxLines, <u32>value);
  } else if (field == FieldBdatWindow) {
    if (value < 0) return ReasonBadArgument;
    setWindowBytes(<u32>value);
  } else return ReasonBadArgument;
  return 0;
}

/** Begin the session: the next bytes fed are the server's greeting. */
export function start(): i32 {
  if (!ready()) return ReasonBadState;
  return sessionStart();
}

/** Server bytes at the staging area; returns bytes consumed (< len: drain events, feed the rest). */
export function feed(len: u32): u32 {
  if (!ready() || state == State.Idle) return len;
  return sessionFeed(min(len, inSize));
}

export function tlsUpgraded(): i32 {
  if (!ready()) return ReasonBadState;
  return sessionTlsUpgraded();
}

/** XOAUTH2 bearer token at the staging area (after NeedAccessToken); used once, then wiped. */
export function accessToken(len: u32): i32 {
  if (!ready() || state != State.NeedToken) return ReasonBadState;
  const ok = len <= inSize && argumentOk(len, false) && slotSet(token, inBase, len);
  memory.fill(inBase, 0, min(len, inSize));
  if (!ok) return ReasonBadArgument;
  return tokenArrived();
}

export function sendEnvelope(size: u32, mode: i32): i32 {
  if (!ready()) return ReasonBadState;
  return envelope.sendEnvelope(size, mode);
}

/** Raw message bytes at the staging area (after ReadyForBody); returns bytes consumed. */
export function bodyWrite(len: u32): u32 {
  if (!ready()) return 0;
  return envelope.bodyWrite(inBase, min(len, inSize));
}

export function bodyEnd(): i32 {
  if (!ready()) return ReasonBadState;
  return envelope.bodyEnd();
}

/** 0 = QUIT queued (await Closed); else the host just closes the connection. In BodyEnd with
 *  PIPELINING the QUIT rides behind the end of the message. */
export function quit(): i32 {
  if (!ready()) return ReasonBadState;
  return sessionQuit();
}

/** After a Failed event that ended only the mail transaction (a rejected MAIL/RCPT, 552 after
 *  the data, a size or body-mode refusal): 0 = RSET queued, ReadyForEnvelope follows. */
export function rset(): i32 {
  if (!ready()) return ReasonBadState;
  return sessionRset();
}

/** The oldest queued event: the address of its record (Record* layout, events.ts), valid until
 *  the next call; 0 when none is queued. */
export function nextEvent(): usize { return ready() ? popEvent() : 0; }

/** Zero every credential in core memory, the staging area and the free output buffer. */
export function wipeSecrets(): void {
  if (!ready()) return;
  wipeSecretsInside();
  slotWipe(username);
  memory.fill(inBase, 0, inSize);
}
