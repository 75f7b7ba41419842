// SASL initial responses, written straight into caller memory as base64 (RFC 4954 §4).
//   PLAIN   RFC 4616 §2: [authzid] NUL authcid NUL passwd — we send an empty authzid.
//   LOGIN   draft-murchison-sasl-login: username, then password, each its own base64 line.
//   XOAUTH2 Google/Microsoft: "user=" user ^A "auth=Bearer " token ^A ^A.
// Callers check the room first with the *Len functions; nothing here allocates.
import { b64Begin, b64Push, b64PushBytes, b64PushAscii, b64End, b64EncodedLen } from "./base64";

export function plainLen(userLen: u32, passLen: u32): u32 {
  return b64EncodedLen(2 + userLen + passLen);
}

export function writePlain(dst: usize, user: usize, userLen: u32, pass: usize, passLen: u32): u32 {
  b64Begin(dst);
  b64Push(0); // empty authzid: act as the authentication identity
  b64PushBytes(user, userLen);
  b64Push(0);
  b64PushBytes(pass, passLen);
  return b64End();
}

export function xoauth2Len(userLen: u32, tokenLen: u32): u32 {
  return b64EncodedLen(5 + userLen + 1 + 12 + tokenLen + 2);
}

export function writeXoauth2(dst: usize, user: usize, userLen: u32, token: usize, tokenLen: u32): u32 {
  b64Begin(dst);
  b64PushAscii("user=");
  b64PushBytes(user, userLen);
  b64Push(1);
  b64PushAscii("auth=Bearer ");
  b64PushBytes(token, tokenLen);
  b64Push(1);
  b64Push(1);
  return b64End();
}

/** One LOGIN step (username or password) as a base64 line body. */
export function writeLoginItem(dst: usize, src: usize, len: u32): u32 {
  b64Begin(dst);
  b64PushBytes(src, len);
  return b64End();
}
