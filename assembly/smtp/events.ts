// Events the core reports, and the classes and reasons a failure carries. Exported as wasm
// globals like fields.ts. The host drains them with nextEvent() after every call.

export const EventNone: i32 = 0;
export const EventReplyReceived: i32 = 1;  // every complete reply: evCode, evEnhanced, evText (last line)
export const EventCommandSent: i32 = 2;    // every command queued: evText, secrets already redacted
export const EventNeedTlsUpgrade: i32 = 3; // write outPtr() first, then handshake, then tlsUpgraded()
export const EventNeedAccessToken: i32 = 4; // call accessToken(len) with a fresh XOAUTH2 token
export const EventAuthenticated: i32 = 5;
export const EventReadyForEnvelope: i32 = 6; // capabilities known; set recipients, sendEnvelope()
export const EventRecipientResult: i32 = 7;  // evIndex = recipient number, evCode/evClass its result
export const EventReadyForBody: i32 = 8;     // bodyWrite()/bodyEnd() from now on
export const EventMessageAccepted: i32 = 9;  // final 250 after the dot / BDAT LAST
export const EventFailed: i32 = 10;          // evCode, evEnhanced, evText, evClass, evReason; evIndex = the
                                             // State it failed in (order of enum State in smtp/session.ts)
export const EventClosed: i32 = 11;          // QUIT answered, or the session is over
export const EventAuthError: i32 = 12;       // XOAUTH2 334 error challenge: evText = decoded JSON

// evClass()
export const ClassOk: i32 = 0;
export const ClassTransient: i32 = 1;   // 4xx, or a fault worth retrying
export const ClassPermanent: i32 = 2;   // 5xx: do not retry as is
export const ClassProtocol: i32 = 3;    // the server's bytes were not SMTP
export const ClassLocal: i32 = 4;       // our policy refused (TLS required, plaintext auth, …)

// evReason(): why a Failed event happened
export const ReasonReply: i32 = 1;            // a negative reply; see evCode/evEnhanced
export const ReasonGreetingRefused: i32 = 2;  // 554 (or other non-220) greeting
export const ReasonTlsNotOffered: i32 = 3;    // STARTTLS required but not in EHLO
export const ReasonTlsInjection: i32 = 4;     // bytes after "220 ready to start TLS"
export const ReasonLineTooLong: i32 = 5;
export const ReasonBadReply: i32 = 6;         // not a valid reply line
export const ReasonAuthFailed: i32 = 7;
export const ReasonNoAuthMechanism: i32 = 8;  // nothing the server offers is allowed by config
export const ReasonPlaintextAuthRefused: i32 = 9; // credentials would go out without TLS
export const ReasonAllRecipientsRejected: i32 = 10;
export const ReasonRecipientRejected: i32 = 11; // all-or-nothing and one was rejected
export const ReasonSizeExceeded: i32 = 12;    // message larger than the server's SIZE
export const ReasonServerClosing: i32 = 13;   // 421 at any point
export const ReasonBadState: i32 = 14;        // the host called something out of order
export const ReasonBodyModeUnsupported: i32 = 15; // e.g. BINARYMIME asked, not offered
export const ReasonBadArgument: i32 = 16;     // CR/LF/NUL in an address, overlong field, …
export const ReasonOutputFull: i32 = 17;      // a command did not fit in outPtr(): outCap too small
// Protocol desync (RFC 5321 §4.2, §4.3.2; RFC 2920 §3.1): a reply that does not fit the command it
// answers (250 to DATA, 220 to EHLO, 334 to MAIL …), a reply to a command the host has not yet
// written (the server answered before it was asked), or a reply when nothing is outstanding.
export const ReasonUnexpectedReply: i32 = 18;
export const ReasonReplyTooLong: i32 = 19;    // one reply exceeded the board's line or byte cap

// evCommand(): the command a ReplyReceived, RecipientResult or Failed event answers, the command a
// CommandSent event carries; 0 when none (a local failure before any command, say).
export const CmdGreeting: i32 = 1;  // not a command: the server's 220 opening the session
export const CmdEhlo: i32 = 2;
export const CmdHelo: i32 = 3;
export const CmdStartTls: i32 = 4;
export const CmdAuth: i32 = 5;      // AUTH and every SASL continuation line
export const CmdMail: i32 = 6;
export const CmdRcpt: i32 = 7;
export const CmdData: i32 = 8;
export const CmdDataEnd: i32 = 9;   // the "." that ends DATA
export const CmdBdat: i32 = 10;
export const CmdBdatLast: i32 = 11;
export const CmdRset: i32 = 12;
export const CmdQuit: i32 = 13;

// Status values the session calls return (besides 0 = done and a Reason* = refused, no change)
export const StatusBusy: i32 = -1; // drain outPtr() and the events (feed replies), then call again
