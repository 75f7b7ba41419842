// The session's settings (setInt in abi.ts), read by the state machine, AUTH and the envelope.
// Defaults here; sessionReset() brings them back.
import { TlsPolicyOpportunistic } from "./fields";

export let tlsPolicy: i32 = TlsPolicyOpportunistic;
export let authAllowed: i32 = 0;
export let allowPlaintextAuth = false;
export let usePipelining = true;
export let allRecipientsRequired = false;
export let tlsActive = false;
export let bdatChunkMax: u32 = 0; // 0 = as much as the output buffer holds
export let smtpUtf8 = false;
export let pipelineAuth = false;
/** Ask for delivery status notifications when the server offers DSN (RFC 3461). */
export let dsnWanted = false;

export function setTlsPolicy(v: i32): void { tlsPolicy = v; }
export function setAuthAllowed(v: i32): void { authAllowed = v; }
export function setAllowPlaintextAuth(v: bool): void { allowPlaintextAuth = v; }
export function setUsePipelining(v: bool): void { usePipelining = v; }
export function setAllRecipientsRequired(v: bool): void { allRecipientsRequired = v; }
export function setTlsActive(v: bool): void { tlsActive = v; }
export function setBdatChunkMax(v: u32): void { bdatChunkMax = v; }
export function setSmtpUtf8(v: bool): void { smtpUtf8 = v; }
export function setPipelineAuth(v: bool): void { pipelineAuth = v; }
export function setDsnWanted(v: bool): void { dsnWanted = v; }

export function configReset(): void {
  tlsPolicy = TlsPolicyOpportunistic;
  authAllowed = 0;
  allowPlaintextAuth = false;
  usePipelining = true;
  allRecipientsRequired = false;
  tlsActive = false;
  bdatChunkMax = 0;
  smtpUtf8 = false;
  pipelineAuth = false;
  dsnWanted = false;
}
