// Helpers for the session specs: play a scripted server against the core in one instance.
// Specs may allocate (as-pect runs them with the incremental runtime); the core itself does not.
import { configureBuffers, inBase, outBase, outUsed, outDrop } from "../../../assembly/core/buffers";
import { carveSession } from "../../../assembly/smtp/store";
import { carveEvents, carvePending } from "../../../assembly/smtp/queue";
import { sessionReset } from "../../../assembly/smtp/session";
import { setString, feed, nextEvent, bodyWrite } from "../../../assembly/smtp/abi";
import {
  EventFailed, EventRecipientResult, RecordKind, RecordCode, RecordIndex, RecordClass, RecordReason,
  RecordCommand, RecordDetail, RecordTextLen, RecordEnhancedLen, RecordEnhanced, RecordText,
} from "../../../assembly/smtp/events";
import { setInt, start } from "../../../assembly/smtp/abi";
import { FieldClientName, FieldMailFrom, FieldRcptTo, FieldTlsPolicy, TlsPolicyNone } from "../../../assembly/smtp/fields";

export function setup(): void {
  configureBuffers(4096, 16384, 1024, 256); // a second call is refused; the first one counts
  carveSession();
  carveEvents();
  carvePending();
  sessionReset();
}

function stage(s: string): i32 {
  const b = String.UTF8.encode(s);
  const n = b.byteLength;
  memory.copy(inBase, changetype<usize>(b), n);
  return n;
}

export function cfg(field: i32, s: string): i32 {
  return setString(field, stage(s));
}

/** Events seen so far (kinds), and details of the last Failed event and recipient results. */
export let kinds: i32[] = [];
export let failReason: i32 = 0;
export let failClass: i32 = 0;
export let failCode: i32 = 0;
export let failStage: i32 = -1;
export let failText: string = "";
export let failEnhanced: string = "";
export let failCmd: i32 = -1;
export let failDetail: i32 = -1;
/** The command of every event, in order (parallel to kinds). */
export let cmds: i32[] = [];
export let rcptCodes: i32[] = [];
export let texts: string[] = [];

export function clearSeen(): void {
  kinds = [];
  cmds = [];
  rcptCodes = [];
  texts = [];
  failReason = 0;
  failClass = 0;
  failCode = 0;
  failStage = -1;
  failText = "";
  failEnhanced = "";
  failCmd = -1;
  failDetail = -1;
}

export function drain(): void {
  for (let at = nextEvent(); at != 0; at = nextEvent()) {
    // the event record (Record* offsets), as the host reads it
    const k = load<i32>(at + RecordKind);
    kinds.push(k);
    cmds.push(load<i32>(at + RecordCommand));
    const text = String.UTF8.decodeUnsafe(at + RecordText, load<u32>(at + RecordTextLen));
    texts.push(text);
    if (k == EventFailed) {
      failReason = load<i32>(at + RecordReason);
      failClass = load<i32>(at + RecordClass);
      failCode = load<i32>(at + RecordCode);
      failStage = load<i32>(at + RecordIndex);
      failText = text;
      failEnhanced = String.UTF8.decodeUnsafe(at + RecordEnhanced, load<u32>(at + RecordEnhancedLen));
      failCmd = load<i32>(at + RecordCommand);
      failDetail = load<i32>(at + RecordDetail);
    }
    if (k == EventRecipientResult) rcptCodes.push(load<i32>(at + RecordCode) * 1000 + load<i32>(at + RecordIndex));
  }
}

export function saw(kind: i32): bool {
  return kinds.includes(kind);
}

/** The command (RecordCommand) of the first event of this kind, -1 when none was seen. */
export function cmdOf(kind: i32): i32 {
  const i = kinds.indexOf(kind);
  return i < 0 ? -1 : cmds[i];
}

/** Feed the server's bytes in pieces of `step` bytes (0 = all at once), draining events. */
export function server(s: string, step: i32 = 0): void {
  const b = String.UTF8.encode(s);
  const n = b.byteLength;
  const p = changetype<usize>(b);
  let off = 0;
  let guard = 0;
  while (off < n && guard < 100000) {
    const len = step > 0 ? min(step, n - off) : n - off;
    memory.copy(inBase, p + off, len);
    off += <i32>feed(<u32>len);
    drain();
    guard++;
  }
}

/** What the client wrote since the last call (consumed, as if sent). */
export function wire(): string {
  const s = String.UTF8.decodeUnsafe(outBase, outUsed);
  outDrop(outUsed);
  return s;
}

/** Stage message bytes and hand them to bodyWrite(); returns bytes consumed. */
export function body(s: string): u32 {
  const n = stage(s);
  const used = bodyWrite(<u32>n);
  drain();
  return used;
}

/** A fresh session to mx.example.com: EHLO name, sender, one recipient, TLS policy; started. */
export function begin(tls: i32 = TlsPolicyNone): void {
  setup();
  clearSeen();
  cfg(FieldClientName, "mfp.example.com");
  cfg(FieldMailFrom, "scanner@example.com");
  cfg(FieldRcptTo, "a@example.com");
  setInt(FieldTlsPolicy, tls);
  start();
}

export const EHLO_PIPE = "250-mx.example.com\r\n250-PIPELINING\r\n250-SIZE 10000\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES\r\n";
export const EHLO_PLAIN = "250-mx.example.com\r\n250 SIZE 10000\r\n";
