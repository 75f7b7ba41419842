// Field, mark and content-type numbers of the MIME writer (assembly/mime/abi.ts), and its
// input limits. Its calls answer with the ABI's one status convention (core/status.ts):
// StatusDone, StatusBusy (the staging buffer is full and the sink refused more: drain the
// output, mimeFlush(), then repeat the same step) or a Reason*.
export {
  StatusDone, StatusBusy, ReasonBadState, ReasonHeaderInjection, ReasonTooLong, ReasonBadAddress,
  ReasonBadBoundary, ReasonBoundaryCollision, ReasonNotConfigured, ReasonBadUtf8, ReasonBadArgument,
  ReasonNoFit, ReasonMissingHeader,
} from "../core/status";

/** The writer's settings, through setInt() like the session's (smtp/fields.ts numbers them
 *  below 64; these from 64). */
export const FieldMimeStage: i32 = 64;  // carve the staging buffer once: ≥ 4096 bytes (after configure)
export const FieldMimeBinary: i32 = 65; // 1 = attachments as Content-Transfer-Encoding: binary (BDAT+BINARYMIME, RFC 3030)
export const FieldMime8bit: i32 = 66;   // 1 = text body as 8bit (server offers 8BITMIME, RFC 6152)
export const FieldMimeScalar: i32 = 67; // 1 = force the scalar base64 path (tests, CPUs without SIMD)
export const FieldMimeCount: i32 = 68;  // 1 = dry run: count bytes instead of writing (exact SIZE)

/** The steps that carry no value (mimeMark). */
export const MimeMarkBegin: i32 = 1;    // new message; len = boundary random (16–48 × [A-Za-z0-9]) at inPtr
export const MimeMarkBody: i32 = 2;     // end of headers; the text/plain part starts
export const MimeMarkPartEnd: i32 = 3;  // end of an attachment
export const MimeMarkEnd: i32 = 4;      // close delimiter; then mimeFlush() until nothing is staged

/** Header fields (mimeHeader). */
export const MimeFieldFrom: i32 = 1;
export const MimeFieldTo: i32 = 2;
export const MimeFieldCc: i32 = 3;
export const MimeFieldReplyTo: i32 = 4;
export const MimeFieldSubject: i32 = 10;
export const MimeFieldDate: i32 = 11;
export const MimeFieldMessageId: i32 = 12;

/** Attachment content types (mimePart). */
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
