// Events the core reports, the record nextEvent() returns, and the classes, reasons and details
// a failure carries. Exported as wasm globals like fields.ts (the host's constants are generated
// from them: scripts/abi-constants.mjs). The host drains events with nextEvent() after every call.

// The event record at the address nextEvent() returns (valid until the next nextEvent call),
// Record* = byte offsets:
// little-endian i32 fields at these offsets, then the enhanced code and the text as bytes.
export const RecordKind: i32 = 0;      // Event*
export const RecordCode: i32 = 4;      // SMTP reply code, 0 when none
export const RecordIndex: i32 = 8;     // RecipientResult: recipient number; Failed: the State it failed in
export const RecordClass: i32 = 12;    // Class*
export const RecordReason: i32 = 16;   // Failed: Reason*; RecipientResult: ReasonReply when refused
export const RecordCommand: i32 = 20;  // Cmd* the reply answers (or CommandSent carries), 0 when none
export const RecordDetail: i32 = 24;   // Detail*: which cause of the reason, 0 when one
export const RecordTextLen: i32 = 28;  // bytes of text at RecordText (UTF-8 as the server sent it)
export const RecordEnhancedLen: i32 = 32; // bytes of the RFC 3463 code at RecordEnhanced
export const RecordEnhanced: i32 = 36; // "5.7.139" (up to 12 bytes)
export const RecordText: i32 = 48;     // reply text (last line), the redacted command, a decoded challenge

// The status every call returns and the reasons a call or a Failed event gives (core/status.ts).
export * from "../core/status";

export const EventNone: i32 = 0;
export const EventReplyReceived: i32 = 1;  // every complete reply: code, enhanced, text (last line)
export const EventCommandSent: i32 = 2;    // every command queued: text, secrets already redacted
export const EventNeedTlsUpgrade: i32 = 3; // write the output first, then handshake, then tlsUpgraded()
export const EventNeedAccessToken: i32 = 4; // call accessToken(len) with a fresh XOAUTH2 token
export const EventAuthenticated: i32 = 5;
export const EventReadyForEnvelope: i32 = 6; // capabilities known; set recipients, sendEnvelope()
export const EventRecipientResult: i32 = 7;  // index = recipient number, code/class its result
export const EventReadyForBody: i32 = 8;     // bodyWrite()/bodyEnd() from now on
export const EventMessageAccepted: i32 = 9;  // final 250 after the dot / BDAT LAST
export const EventFailed: i32 = 10;          // code, enhanced, text (a reply's), class, reason, detail,
                                             // command; index = the State it failed in (State*)
export const EventClosed: i32 = 11;          // QUIT answered, or the session is over
export const EventAuthError: i32 = 12;       // XOAUTH2 334 error challenge: text = decoded JSON

// RecordClass
export const ClassOk: i32 = 0;
export const ClassTransient: i32 = 1;   // 4xx, or a fault worth retrying
export const ClassPermanent: i32 = 2;   // 5xx: do not retry as is
export const ClassProtocol: i32 = 3;    // the server's bytes were not SMTP
export const ClassLocal: i32 = 4;       // our policy refused (TLS required, plaintext auth, …)

// RecordDetail: which of a reason's causes it was (0 = the reason says it all)
export const DetailReplyMisfit: i32 = 1;   // UnexpectedReply: the code does not fit the command
export const DetailReplyEarly: i32 = 2;    // UnexpectedReply: a reply to a command not yet written
export const DetailReplyUnasked: i32 = 3;  // UnexpectedReply: a reply when no command was waiting
export const DetailChallenge: i32 = 4;     // UnexpectedReply: an AUTH challenge after the last step
export const DetailSmtpUtf8: i32 = 5;      // BodyModeUnsupported: an address needs SMTPUTF8

// RecordCommand: the command a ReplyReceived, RecipientResult or Failed event answers, the command a
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

// The session's State (info(InfoState), a Failed event's index): the names of enum State in
// smtp/state.ts, exported so that the host never mirrors the order by hand.
export const StateIdle: i32 = 0;
export const StateGreeting: i32 = 1;
export const StateEhlo: i32 = 2;
export const StateHelo: i32 = 3;
export const StateStartTls: i32 = 4;
export const StateTlsHandshake: i32 = 5;
export const StateNeedToken: i32 = 6;
export const StateAuth: i32 = 7;
export const StateReady: i32 = 8;
export const StateEnvelope: i32 = 9;
export const StateBody: i32 = 10;
export const StateBodyEnd: i32 = 11;
export const StateRset: i32 = 12;
export const StateQuit: i32 = 13;
export const StateClosed: i32 = 14;
export const StateFailed: i32 = 15;
