// One mail transaction: MAIL FROM, RCPT TO for each recipient, then DATA or BDAT (RFC 5321
// §3.3, RFC 3030). With PIPELINING (RFC 2920) the whole envelope goes out in one write and the
// replies are matched to the commands in order; without it, one command per reply.
import { State, Cmd, state, setState, sendEnd, failReply, failLocal, classOf } from "./state";
import { usePipelining, allRecipientsRequired, smtpUtf8, dsnWanted } from "./config";
import { capFlags, capSize } from "./caps";
import { mailFrom, rcptCount, rcptPtr, rcptSize, envId, EnvIdMax } from "./store";
import { wireBegin, wireLit, wireBytes, wireU32, wireEnd, wireStart, wireLen } from "./wire";
import { textPtr, textLen, enhBuf, enhLen } from "./reply";
import { pushEvent, eventsRoom, eventsFit, EventsPerReply, pendingPush, pendingCount, PendingCap } from "./queue";
import { eventTextMax } from "../core/buffers";
import { framerReset, dataWrite, normalise, produced, closingLen, writeClosing, lineOpen } from "./framer";
import { outReserve, outCommit, outSize, outFree } from "../core/buffers";
import { installBodySink, resetBodySink } from "../core/sink";
import { chunkWrite, chunkClose, chunksReset } from "./chunks";
import {
  CapPipelining, CapSize, Cap8BitMime, CapSmtpUtf8, CapChunking, CapBinaryMime, CapDsn,
  BodyMode7Bit, BodyMode8BitMime, BodyModeBinaryMime, BodyModeChunked,
} from "./fields";
import {
  EventRecipientResult, EventReadyForBody, EventCommandSent, ClassOk, ClassLocal, ClassPermanent,
  ReasonReply, ReasonBadState, ReasonBadArgument, ReasonSizeExceeded, ReasonBodyModeUnsupported,
  ReasonAllRecipientsRejected, ReasonRecipientRejected, StatusBusy, DetailSmtpUtf8,
} from "./events";

let mode: i32 = BodyMode7Bit;
let pipelined = false;     // this transaction's envelope went out in one write
let accepted: i32 = 0;
let rejected: i32 = 0;
let lastRejectCode: i32 = 0;
let dsn = false;           // this transaction asks for DSNs (RFC 3461)

// @ts-ignore: decorator
@inline function usesBdat(): bool {
  return mode == BodyModeBinaryMime || mode == BodyModeChunked;
}

function mailLineLen(): u32 {
  // MAIL FROM:<…> SIZE=… BODY=BINARYMIME SMTPUTF8 RET=HDRS ENVID=…
  return 11 + mailFrom.len + 1 + 16 + 16 + 9 + 9 + 7 + EnvIdMax + 2;
}

const NOTIFY = " NOTIFY=FAILURE,DELAY";

/** sendEnvelope(size, mode): 0 = sent, StatusBusy = drain first, Reason* = refused. */
export function sendEnvelope(size: u32, bodyMode: i32): i32 {
  if (state != State.Ready) return ReasonBadState;
  if (rcptCount == 0 || bodyMode < BodyMode7Bit || bodyMode > BodyModeChunked) return ReasonBadArgument;
  // What the server cannot take ends the session with a reason the panel can show.
  if (bodyMode == BodyMode8BitMime && (capFlags & Cap8BitMime) == 0 ||
      bodyMode == BodyModeBinaryMime && (capFlags & (CapChunking | CapBinaryMime)) != (CapChunking | CapBinaryMime) ||
      bodyMode == BodyModeChunked && (capFlags & CapChunking) == 0) {
    failLocal(ReasonBodyModeUnsupported, ClassLocal);
    return ReasonBodyModeUnsupported;
  }
  if (smtpUtf8 && (capFlags & CapSmtpUtf8) == 0) { // RFC 6531 §3.4: no UTF-8 addresses without it
    failLocal(ReasonBodyModeUnsupported, ClassLocal, DetailSmtpUtf8);
    return ReasonBodyModeUnsupported;
  }
  if ((capFlags & CapSize) != 0 && capSize > 0 && size > capSize) { // RFC 1870 §6
    failLocal(ReasonSizeExceeded, ClassPermanent);
    return ReasonSizeExceeded;
  }
  let need = mailLineLen() + 6;
  for (let i = 0; i < rcptCount; i++) need += 11 + rcptSize(i) + NOTIFY.length;
  const free = outFree();
  // the burst: one CommandSent per command, plus room for the events of the next reply
  const records = <u32>rcptCount + 2 + EventsPerReply;
  const text = need + EventsPerReply * eventTextMax;
  const pipe = usePipelining && (capFlags & CapPipelining) != 0 && need <= outSize && eventsFit(records, text);
  if (pipe && (need > free || !eventsRoom(records, text))) return StatusBusy;
  if (!pipe && (mailLineLen() > free || !roomForOneCommand())) return StatusBusy;
  mode = bodyMode;
  pipelined = pipe;
  accepted = 0;
  rejected = 0;
  lastRejectCode = 0;
  dsn = dsnWanted && (capFlags & CapDsn) != 0; // RFC 3461 §4: only to a server that offers DSN
  setState(State.Envelope);

  wireBegin();
  wireLit("MAIL FROM:<");
  wireBytes(mailFrom.base, mailFrom.len);
  wireLit(">");
  if ((capFlags & CapSize) != 0 && size > 0) { wireLit(" SIZE="); wireU32(size); }
  if (mode == BodyMode8BitMime) wireLit(" BODY=8BITMIME");       // RFC 6152
  else if (mode == BodyModeBinaryMime) wireLit(" BODY=BINARYMIME"); // RFC 3030 §3
  if (smtpUtf8) wireLit(" SMTPUTF8");                               // RFC 6531 §3.4
  if (dsn) {
    // RFC 3461 §4.3: a bounce carries only the headers, not the scan back; §4.4: ENVID lets the
    // sender match the report to this message
    wireLit(" RET=HDRS");
    if (envId.len > 0) { wireLit(" ENVID="); wireBytes(envId.base, envId.len); }
  }
  if (!sendEnd(Cmd.Mail, 0)) return ReasonBadArgument;
  if (pipelined) {
    for (let i = 0; i < rcptCount; i++) if (!sendRcpt(i)) return ReasonBadArgument;
    // RFC 3030 §4.2 + RFC 2920: BDAT may follow RCPT in the same group — the first chunk goes
    // out without waiting a round trip for the RCPT replies. If every recipient is refused the
    // transaction fails on those replies (the server answers the chunks 5xx, read and dropped).
    if (!usesBdat()) sendData();
    else enterBody();
  }
  return 0;
}

function sendRcpt(i: i32): bool {
  wireBegin();
  wireLit("RCPT TO:<");
  wireBytes(rcptPtr(i), rcptSize(i));
  wireLit(">");
  if (dsn) wireLit(NOTIFY); // RFC 3461 §4.1: report failure and delay, not success
  return sendEnd(Cmd.Rcpt, i);
}

function sendData(): void {
  wireBegin();
  wireLit("DATA");
  sendEnd(Cmd.Data, 0);
}

/** 250 to MAIL FROM. */
export function mailReply(): void {
  if (!pipelined) sendRcpt(0);
}

/** The reply to RCPT TO number `index`. */
export function recipientReply(index: i32, code: i32): void {
  const ok = code / 100 == 2;
  pushEvent(EventRecipientResult, code, index, classOf(code), ok ? 0 : ReasonReply, textPtr(), textLen, enhBuf, enhLen);
  if (ok) accepted++;
  else {
    rejected++;
    lastRejectCode = code;
    if (allRecipientsRequired) { failReply(ReasonRecipientRejected, true); return; }
  }
  if (index < rcptCount - 1) {
    if (!pipelined) sendRcpt(index + 1);
    return;
  }
  if (accepted == 0) { failReply(ReasonAllRecipientsRejected, true); return; }
  if (!usesBdat()) {
    if (!pipelined) sendData(); // pipelined: DATA is already out, its 354 opens the body
  } else if (!pipelined) enterBody(); // pipelined: the body is already open (sendEnvelope)
}

/** 354 to DATA, or every RCPT answered before BDAT: the host may write the body now. */
export function enterBody(): void {
  setState(State.Body);
  framerReset();
  chunksReset();
  installBodySink(bodyWrite);
  pushEvent(EventReadyForBody, 0, 0, ClassOk, 0, 0, 0, 0, 0);
}

/** Room for one CommandSent and the events of the reply it will get. */
function roomForOneCommand(): bool {
  return eventsRoom(1 + EventsPerReply, (1 + EventsPerReply) * eventTextMax);
}

/** Message bytes: framed for DATA, or gathered into BDAT chunks (chunks.ts). Returns bytes consumed. */
export function bodyWrite(src: usize, len: u32): u32 {
  if (state != State.Body) return 0;
  if (!usesBdat()) return dataWrite(src, len);
  return chunkWrite(src, len, mode == BodyModeBinaryMime, pipelined, Cmd.Bdat);
}

/** End of the message: 0 = done, StatusBusy = drain and call again, Reason* = refused. */
export function bodyEnd(): i32 {
  if (state != State.Body) return ReasonBadState;
  if (!usesBdat()) {
    const at = outReserve(closingLen() + 3);
    if (!at || !roomForOneCommand()) return StatusBusy;
    outCommit(writeClosing(at)); // RFC 5321 §4.1.1.4: CRLF . CRLF
    wireBegin();
    wireLit(".");
    sendEnd(Cmd.DataEnd, 0);
  } else {
    chunkClose(Cmd.Bdat);
    if (!pipelined && pendingCount > 0) return StatusBusy;
    if (outFree() < 32 || !roomForOneCommand()) return StatusBusy;
    wireBegin();
    if (mode == BodyModeChunked && lineOpen()) {
      wireLit("BDAT 2 LAST"); // close the last line with CRLF inside the final chunk
      wireEnd();
      pushEvent(EventCommandSent, 0, 0, ClassOk, 0, wireStart(), wireLen(), 0, 0);
      outCommit(writeClosing(outReserve(2)));
      pendingPush(Cmd.BdatLast, 0);
    } else {
      wireLit("BDAT 0 LAST"); // RFC 3030 §2: a zero-length last chunk is allowed
      sendEnd(Cmd.BdatLast, 0);
    }
  }
  resetBodySink();
  if (state == State.Body) setState(State.BodyEnd);
  return 0;
}
