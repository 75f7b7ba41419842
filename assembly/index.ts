// mfp-mail core — the exported ABI, and nothing else: 25 functions.
//
// The core is sans-I/O: the host writes bytes into core memory and calls a function; the core
// updates its state, appends wire bytes to its output buffer and queues events. The core never
// calls the host (the only import is AssemblyScript's `abort`). One wasm instance = one session.
// Every value is an i32/u32 (f64 for sizes); strings are UTF-8 bytes the host copied into the
// staging area first. The constants named here (Field*, Event*, Reason*, State* …) are exported
// by a companion module built from the same sources, assembly/constants.ts → build/core.abi.wasm
// (in the core itself they are folded into the code: exported they would cost 4.5 KB of the
// 24 KB). The build generates the host's constants (host/core/abi.ts) and the C replayer's
// from that module's globals (scripts/abi-constants.mjs): none is typed by hand.
//
// ── One convention ──────────────────────────────────────────────────────────────────────────
// A call that acts returns a status (core/status.ts): StatusDone (0); a Reason* (> 0) = refused,
// nothing changed; StatusBusy (-1) = nothing done yet: write out the output bytes, drain the
// events (and feed the server's replies), then make the same call again. A call that takes
// bytes (feed, bodyWrite, mimeWrite) returns how many it took; the rest is offered again.
// Failures of the session itself arrive as a Failed event. Drain events after every call.
//
// ── Memory (core/abi.ts, info.ts) ───────────────────────────────────────────────────────────
//   configure(inCap, outCap, lineMax, eventTextCap)  carve every buffer once, from the board
//                               profile; linear memory never grows after that
//   info(key): f64              Info* (info.ts): InfoInPtr/InfoInCap (staging area), InfoOutPtr,
//                               InfoState, InfoCapFlags/InfoCapSize/InfoCapAuth (last EHLO),
//                               InfoMemoryBytes, InfoMimeSize, InfoMimeStaged, InfoMimeReason
//   outLen()                    wire bytes waiting at InfoOutPtr
//   outConsume(n)               the host wrote n of them
//
// ── Session (smtp/abi.ts) ───────────────────────────────────────────────────────────────────
//   setString(field, len)       config before start(); Field* in smtp/fields.ts (FieldRcptTo adds
//                               one recipient, up to MaxRecipients; FieldPassword's staging bytes
//                               are zeroed at once)
//   setInt(field, value)        Field* numbers, FieldMime* for the MIME writer (mime/consts.ts)
//   start()                     expect the server greeting
//   feed(len): u32              server bytes at the staging area; returns bytes taken (< len when
//                               the event queue is full: drain events, then feed the rest again)
//   tlsUpgraded()               the STARTTLS handshake is done (after NeedTlsUpgrade); the core
//                               forgets the capabilities and sends EHLO again
//   accessToken(len)            XOAUTH2 bearer token at the staging area (after NeedAccessToken)
//   sendEnvelope(size, mode)    after ReadyForEnvelope: MAIL FROM/RCPT TO… with SIZE=size and
//                               body mode (BodyMode*); with PIPELINING one write
//   bodyWrite(len): u32         raw RFC 5322 message bytes (after ReadyForBody), framed for DATA
//                               (dot-stuffing, CRLF) or BDAT; returns bytes taken
//   bodyEnd()                   end of message: final dot, or BDAT … LAST
//   quit()                      QUIT from Ready, after a Failed, or pipelined behind BodyEnd
//   rset()                      after a Failed that ended only the transaction: RSET, then
//                               ReadyForEnvelope again (next message, same connection)
//   nextEvent(): usize          the oldest event's record, 0 = none. One record, read with one
//                               DataView: Record* offsets (smtp/events.ts) — kind (Event*),
//                               code, index, class, reason, command (Cmd*), detail (Detail*), the
//                               enhanced code and the text. A Failed event says which command
//                               failed, the State it failed in (index) and why, in numbers: the
//                               host has the words.
//   wipeSecrets()               zero every credential byte (the core also does it itself after
//                               AUTH, on Failed and on Closed)
// Walk-through for firmware engineers: docs/core.md and docs/firmware.md.
//
// ── MIME writer (mime/abi.ts) ───────────────────────────────────────────────────────────────
// Builds the RFC 5322/MIME message in steps and streams it into the body framer above, or
// straight to the output buffer when no session runs. setInt(FieldMimeStage, n) carves its
// staging buffer once; FieldMimeBinary/8bit/Scalar/Count switch binary parts, 8bit text, the
// scalar base64 path and the dry run (exact size, nothing written).
//   mimeMark(mark, len)         MimeMarkBegin (len = boundary random), MimeMarkBody,
//                               MimeMarkPartEnd, MimeMarkEnd
//   mimeHeader(field, len, addrLen)  Subject/Date/Message-ID value, or display name + address
//   mimePart(type, nameLen)     an attachment (MimeType*) and its file name
//   mimeWrite(off, len): u32    text or attachment bytes at staging+off; returns bytes taken
//                               (0 with InfoMimeReason > 0 = refused)
//   mimeFlush(): u32            push staged bytes to the sink; returns bytes still staged
//   mimeEncodedSize(n, binary)  encoded size of an n-byte attachment body
//   mimeMaxPartBytes(max, overhead, binary)  largest attachment that fits
//   mimeSplitPages(pageCount, cap): u32  page ends at the staging area → message ends after them

export { configure, outLen, outConsume } from "./core/abi";
export { info } from "./info";
export {
  setString, setInt, start, feed, tlsUpgraded, accessToken, sendEnvelope, bodyWrite, bodyEnd, quit, rset,
  nextEvent, wipeSecrets,
} from "./smtp/abi";
export {
  mimeMark, mimeHeader, mimePart, mimeWrite, mimeFlush, mimeEncodedSize, mimeMaxPartBytes, mimeSplitPages,
} from "./mime/abi";
