// mfp-mail core — the exported ABI, and nothing else.
//
// The core is sans-I/O: the host writes bytes into core memory and calls a function; the core
// updates its state, appends wire bytes to its output buffer and queues events. The core never
// calls the host (the only import is AssemblyScript's `abort`). One wasm instance = one session.
//
// ── Memory ──────────────────────────────────────────────────────────────────────────────────
// configure(inCap, outCap, lineMax, eventTextCap) carves every buffer once, from the board
// profile. After that linear memory never grows: nothing in a protocol step allocates.
//   inPtr()/inCap()          host → core staging area: server bytes, config strings, body chunks
//   outPtr()/outLen()        core → host wire bytes; the host writes them, then outConsume(n)
//   All ABI values are i32/u32; strings are UTF-8 bytes the host copied to inPtr() first.
//
// ── Session (assembly/smtp/abi.ts) ──────────────────────────────────────────────────────────
// Calls that act return i32: 0 = done; StatusBusy (-1) = drain outPtr() and the events (and
// feed replies), then call again; a Reason* (> 0) = refused, nothing changed. Failures of the
// session itself arrive as a Failed event. Drain events (nextEvent) after every call.
//   setString(field, len) / setInt(field, value)   config before start(); Field* in smtp/fields.ts
//                               (FieldRcptTo adds one recipient, up to MaxRecipients;
//                               FieldPassword's staging bytes are zeroed at once)
//   start()                     expect the server greeting
//   feed(len): u32              server bytes at inPtr(); returns bytes consumed (< len when the
//                               event queue is full: drain events, then feed the rest again)
//   tlsUpgraded()               host finished the STARTTLS handshake (after NeedTlsUpgrade);
//                               the core forgets the capabilities and sends EHLO again
//   accessToken(len)            XOAUTH2 bearer token at inPtr() (after NeedAccessToken)
//   sendEnvelope(size, mode)    after ReadyForEnvelope: MAIL FROM/RCPT TO… with SIZE=size and
//                               body mode (BodyMode* in smtp/fields.ts); recipients set before.
//                               With PIPELINING the envelope (and DATA) is one write.
//   bodyWrite(len): u32         raw RFC 5322 message bytes at inPtr() (after ReadyForBody);
//                               framed for DATA (dot-stuffing, CRLF) or BDAT; returns consumed
//                               (0 = output full, or a BDAT chunk waits for its reply)
//   bodyEnd()                   end of message: final dot, or BDAT … LAST
//   quit()                      QUIT from Ready, after a Failed (0 = await Closed; else just
//                               close), or pipelined behind the message from BodyEnd
//   rset()                      after a Failed that ended only the transaction: RSET, then
//                               ReadyForEnvelope again (next message, same connection)
//   nextEvent(): i32            0 = none; else an Event* kind (smtp/events.ts); then read:
//   evCode() evIndex() evClass() evReason() evTextPtr() evTextLen() evEnhancedPtr() evEnhancedLen()
//                               (valid until the next nextEvent call)
//   capFlags() capSizeLimit() capAuthMechs()   extension table from the last EHLO
//   sessionState()              State (smtp/session.ts order), for logs and tests
//   wipeSecrets()               zero every credential byte in core memory (the core also does
//                               it itself after AUTH, on Failed and on Closed)
// Walk-through for firmware engineers: docs/core.md.
//
// ── MIME writer (assembly/mime/abi.ts) ──────────────────────────────────────────────────────
//   Builds the RFC 5322/MIME message in steps (headers → text → parts of chunks → end) and
//   streams it into the body framer above, or straight to outPtr() when no session runs.

export * from "./core/abi";
export * from "./smtp/fields";
export * from "./smtp/events";
export * from "./smtp/abi";
export * from "./mime/abi";
