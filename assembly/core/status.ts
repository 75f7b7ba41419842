// One status convention for every call that acts, SMTP and MIME alike: 0 = done, a Reason* (> 0) = refused and
// nothing changed, or StatusBusy = nothing done yet: drain the output and the events (feed the
// server's replies), then make the same call again.
export const StatusDone: i32 = 0;
export const StatusBusy: i32 = -1;


// Why a call refused, or why a Failed event happened (RecordReason)
export const ReasonReply: i32 = 1;            // a negative reply: the event carries its code, enhanced code and text
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
export const ReasonOutputFull: i32 = 17;      // a command did not fit in the output buffer: outCap too small
// Protocol desync (RFC 5321 §4.2, §4.3.2; RFC 2920 §3.1): a reply that does not fit the command it
// answers (250 to DATA, 220 to EHLO, 334 to MAIL …), a reply to a command the host has not yet
// written (the server answered before it was asked), or a reply when nothing is outstanding.
export const ReasonUnexpectedReply: i32 = 18;
export const ReasonReplyTooLong: i32 = 19;    // one reply exceeded the board's line or byte cap
// The MIME writer's refusals (assembly/mime/): same convention, numbers of their own
export const ReasonHeaderInjection: i32 = 20; // CR, LF or NUL in a host-supplied header value
export const ReasonTooLong: i32 = 21;         // value longer than the writer accepts
export const ReasonBadAddress: i32 = 22;      // not a plain addr-spec (ASCII, one @, no specials)
export const ReasonBadBoundary: i32 = 23;     // boundary random not 16..48 chars of [A-Za-z0-9]
export const ReasonBoundaryCollision: i32 = 24; // a binary/8bit part contained the boundary delimiter
export const ReasonNotConfigured: i32 = 25;   // the MIME staging buffer was not carved (FieldMimeStage)
export const ReasonBadUtf8: i32 = 26;         // value is not well-formed UTF-8
export const ReasonNoFit: i32 = 27;           // split plan: one page alone exceeds the size limit
export const ReasonMissingHeader: i32 = 28;   // body started without From or Date (RFC 5322 §3.6)

