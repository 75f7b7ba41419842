// The session's configuration and working memory: carved once, on the first session call after
// configure(), from sizes fixed here and in the board profile. Nothing is allocated later.
import { replyLineMax, eventTextMax } from "../core/buffers";
import { MaxRecipients } from "./fields";

export const NameMax: u32 = 255;           // EHLO domain (RFC 1035 name length)
export const UserMax: u32 = 320;           // SASL identity: an address (RFC 5321 §4.5.3.1.3 path)
export const PasswordMax: u32 = 256;
export const PathMax: u32 = 320;           // reverse/forward path with SMTPUTF8 local parts
export const TokenMax: u32 = 8192;         // an OAuth 2 access token (Entra ID tokens are ~2-3 KB)
export const EnvIdMax: u32 = 100;          // DSN envelope id as sent (xtext), RFC 3461 §4.4
const RCPT_ARENA: u32 = 8192;           // all recipient addresses of one message (~80 bytes each at 100)

/** One stored string: base pointer, capacity, current length. */
@unmanaged export class Slot {
  base: usize = 0;
  cap: u32 = 0;
  len: u32 = 0;
}

// Slots are static objects (unmanaged, in static data): no allocation.
export const clientName = changetype<Slot>(memory.data(offsetof<Slot>()));
export const username = changetype<Slot>(memory.data(offsetof<Slot>()));
export const password = changetype<Slot>(memory.data(offsetof<Slot>()));
export const mailFrom = changetype<Slot>(memory.data(offsetof<Slot>()));
export const token = changetype<Slot>(memory.data(offsetof<Slot>()));
export const envId = changetype<Slot>(memory.data(offsetof<Slot>()));

export let rcptArena: usize = 0;
export let rcptArenaUsed: u32 = 0;
export let rcptOff: usize = 0;   // u32[MaxRecipients]
export let rcptLen: usize = 0;   // u32[MaxRecipients]
export let rcptCount: i32 = 0;

export let lineBase: usize = 0;  // replyLineMax bytes: the reply line being assembled
export let scratch: usize = 0;   // eventTextMax bytes: decoded challenges, messages
export let carved = false;

function carveSlot(s: Slot, cap: u32): void {
  s.base = heap.alloc(<usize>cap);
  s.cap = cap;
  s.len = 0;
}

/** Called by every session entry point; allocates once, then never again. */
export function carveSession(): void {
  if (carved) return;
  carveSlot(clientName, NameMax);
  carveSlot(username, UserMax);
  carveSlot(password, PasswordMax);
  carveSlot(mailFrom, PathMax);
  carveSlot(token, TokenMax);
  carveSlot(envId, EnvIdMax);
  rcptArena = heap.alloc(<usize>RCPT_ARENA);
  rcptOff = heap.alloc(<usize>MaxRecipients << 2);
  rcptLen = heap.alloc(<usize>MaxRecipients << 2);
  lineBase = heap.alloc(<usize>replyLineMax);
  scratch = heap.alloc(<usize>eventTextMax);
  carved = true;
}

/** Store len bytes from src; false when they do not fit. */
export function slotSet(s: Slot, src: usize, len: u32): bool {
  if (len > s.cap) return false;
  memory.copy(s.base, src, len);
  if (len < s.len) memory.fill(s.base + len, 0, s.len - len);
  s.len = len;
  return true;
}

export function slotWipe(s: Slot): void {
  memory.fill(s.base, 0, s.cap);
  s.len = 0;
}

export function rcptAdd(src: usize, len: u32): bool {
  if (rcptCount >= MaxRecipients || rcptArenaUsed + len > RCPT_ARENA || len > PathMax) return false;
  memory.copy(rcptArena + rcptArenaUsed, src, len);
  store<u32>(rcptOff + (<usize>rcptCount << 2), rcptArenaUsed);
  store<u32>(rcptLen + (<usize>rcptCount << 2), len);
  rcptArenaUsed += len;
  rcptCount++;
  return true;
}

export function rcptClear(): void {
  rcptCount = 0;
  rcptArenaUsed = 0;
}

// @ts-ignore: decorator
@inline export function rcptPtr(i: i32): usize {
  return rcptArena + <usize>load<u32>(rcptOff + (<usize>i << 2));
}
// @ts-ignore: decorator
@inline export function rcptSize(i: i32): u32 {
  return load<u32>(rcptLen + (<usize>i << 2));
}
