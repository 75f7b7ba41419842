// Result codes and option numbers of the MIME writer (assembly/mime/abi.ts). Kept in one small
// file so the host helper (host/core/mime.ts) can mirror them one to one.

/** Step done. */
export const MimeOk: i32 = 0;
/** Nothing was done: the staging buffer is full and the sink refused more. Drain the output
 *  (outPtr()/outConsume(), or let the framer send), call mimeFlush(), then repeat the same step. */
export const MimeDrain: i32 = 1;

export const MimeErrState: i32 = -1;         // step called out of order (or after an error)
export const MimeErrInjection: i32 = -2;     // CR, LF or NUL in a host-supplied header value
export const MimeErrTooLong: i32 = -3;       // value longer than the writer accepts
export const MimeErrBadAddress: i32 = -4;    // not a plain addr-spec (ASCII, one @, no specials)
export const MimeErrBadBoundary: i32 = -5;   // boundary random not 16..48 chars of [A-Za-z0-9]
export const MimeErrCollision: i32 = -6;     // a binary/8bit part contained the boundary delimiter
export const MimeErrNotConfigured: i32 = -7; // mimeConfigure() not called (or failed)
export const MimeErrBadUtf8: i32 = -8;       // value is not well-formed UTF-8
export const MimeErrBadArg: i32 = -9;        // unknown field / content type / option
export const MimeErrNoFit: i32 = -10;        // split plan: one page alone exceeds the size limit

/** Options (mimeSetOption). */
export const MimeOptBinary: i32 = 1;    // 1 = attachments as Content-Transfer-Encoding: binary (BDAT+BINARYMIME, RFC 3030)
export const MimeOpt8bit: i32 = 2;      // 1 = text body as 8bit (server offers 8BITMIME, RFC 6152)
export const MimeOptScalar: i32 = 3;    // 1 = force the scalar base64 path (tests, CPUs without SIMD)
export const MimeOptCount: i32 = 4;     // 1 = dry run: count bytes instead of writing (exact SIZE)

/** Header fields (mimeHeader / mimeAddress). */
export const MimeFieldFrom: i32 = 1;
export const MimeFieldTo: i32 = 2;
export const MimeFieldCc: i32 = 3;
export const MimeFieldReplyTo: i32 = 4;
export const MimeFieldSubject: i32 = 10;
export const MimeFieldDate: i32 = 11;
export const MimeFieldMessageId: i32 = 12;

/** Attachment content types (mimePartBegin). */
export const MimeTypeOctet: i32 = 0;
export const MimeTypePdf: i32 = 1;
export const MimeTypeTiff: i32 = 2;
export const MimeTypeJpeg: i32 = 3;
export const MimeTypePng: i32 = 4;
export const MimeTypeText: i32 = 5;

/** Input limits (bytes of UTF-8 the host may pass for one value). */
export const MaxSubject: u32 = 998;     // RFC 5322 §2.1.1 line limit, before encoding
export const MaxName: u32 = 256;        // display name
export const MaxAddress: u32 = 254;     // RFC 5321 §4.5.3.1.3 path 256 minus the brackets
export const MaxFilename: u32 = 255;
export const MaxToken: u32 = 200;       // Date, Message-ID
/** Smallest staging buffer: holds the longest single encoded item (a 998-byte subject). */
export const MinStage: u32 = 4096;
export const MimeErrMissing: i32 = -11;      // body started without From or Date (RFC 5322 §3.6)
