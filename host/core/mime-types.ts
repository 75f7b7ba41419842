// The MIME writer's vocabulary shared by host/core/mime.ts and its callers: option and field
// numbers of the core's ABI (assembly/mime/abi.ts, generated into ./abi.ts), its refusals with
// plain-words messages, and the shapes of a message, an attachment and the core exports the
// writer drives.
import { K } from "./abi.js";

export const MimeOk = K.StatusDone;
export const MimeDrain = K.StatusBusy;
/** The writer's switches: setInt(FieldMime*, 0|1). */
export const MimeOpt = { binary: K.FieldMimeBinary, eightBit: K.FieldMime8bit, scalar: K.FieldMimeScalar, count: K.FieldMimeCount } as const;
export const MimeField = {
  from: K.MimeFieldFrom, to: K.MimeFieldTo, cc: K.MimeFieldCc, replyTo: K.MimeFieldReplyTo,
  subject: K.MimeFieldSubject, date: K.MimeFieldDate, messageId: K.MimeFieldMessageId,
} as const;
export const MimeType = {
  "application/octet-stream": K.MimeTypeOctet, "application/pdf": K.MimeTypePdf, "image/tiff": K.MimeTypeTiff,
  "image/jpeg": K.MimeTypeJpeg, "image/png": K.MimeTypePng, "text/plain": K.MimeTypeText,
} as const;
export type AttachmentType = keyof typeof MimeType;

/** The writer's refusals (Reason* of the core) with plain-words messages (panel text on the device). */
export const MimeErrors: Record<number, { code: string; message: string }> = {
  [K.ReasonBadState]: { code: "MIME_STATE", message: "The message writer was driven out of order." },
  [K.ReasonHeaderInjection]: { code: "MIME_HEADER_INJECTION", message: "A header value contains a line break or NUL character; nothing was sent." },
  [K.ReasonTooLong]: { code: "MIME_TOO_LONG", message: "A subject, name, address or file name is too long." },
  [K.ReasonBadAddress]: { code: "MIME_BAD_ADDRESS", message: "An e-mail address is not valid (expected name@domain, ASCII only)." },
  [K.ReasonBadBoundary]: { code: "MIME_BAD_BOUNDARY", message: "The boundary random must be 16–48 letters or digits." },
  [K.ReasonBoundaryCollision]: { code: "MIME_BOUNDARY_COLLISION", message: "The attachment contained the MIME boundary; send again with a new boundary." },
  [K.ReasonNotConfigured]: { code: "MIME_NOT_CONFIGURED", message: "The message writer has no buffers; call configure first." },
  [K.ReasonBadUtf8]: { code: "MIME_BAD_UTF8", message: "A header value is not valid UTF-8 text." },
  [K.ReasonBadArgument]: { code: "MIME_BAD_ARGUMENT", message: "A header field, date, message id or content type is not acceptable." },
  [K.ReasonNoFit]: { code: "MIME_PAGE_TOO_BIG", message: "One scanned page alone is larger than the server's message size limit." },
  [K.ReasonMissingHeader]: { code: "MIME_MISSING_HEADER", message: "A message needs a From address and a Date." },
};

export class MimeError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = "MimeError";
  }
  static of(status: number): MimeError {
    const e = MimeErrors[status] ?? { code: "MIME_UNKNOWN", message: `The message writer failed (${status}).` };
    return new MimeError(status, e.code, e.message);
  }
}

export interface Mailbox { name?: string; address: string }
export type ByteSource = () => AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
export interface AttachmentSpec {
  filename: string;
  type: AttachmentType;
  /** exact byte count the source yields */
  size: number;
  source: ByteSource;
  /** bytes [start, end) read from their offset, when the source can seek (split parts) */
  sourceRange?: (start: number, end: number) => AsyncIterable<Uint8Array>;
  /** ascending cumulative end offsets of the scan's pages (last = size), for splitting */
  pageEnds?: number[];
}
export interface MessageSpec {
  from: Mailbox;
  to: Mailbox[];
  cc?: Mailbox[];
  replyTo?: Mailbox;
  subject: string;
  /** RFC 5322 date-time, e.g. from rfc5322Date() */
  date: string;
  /** "<id@domain>", e.g. from makeMessageId() */
  messageId: string;
  text: string;
  attachments: AttachmentSpec[];
}
export interface WriteMode {
  /** attachments as Content-Transfer-Encoding: binary (server offers CHUNKING + BINARYMIME) */
  binary?: boolean;
  /** text body as 8bit (server offers 8BITMIME) */
  eightBit?: boolean;
  /** force the scalar base64 path */
  scalar?: boolean;
  /** 16–48 chars [A-Za-z0-9]; random when omitted */
  boundaryRandom?: string;
}
export type OutputWriter = (bytes: Uint8Array) => void | Promise<void>;

/** Raw exports the helper uses (a subset of build/core.wasm's; assembly/index.ts). */
export interface MimeExports {
  memory: WebAssembly.Memory;
  info(key: number): number; outLen(): number; outConsume(n: number): void;
  setInt(field: number, value: number): number;
  mimeMark(mark: number, len: number): number;
  mimeHeader(field: number, len: number, addrLen: number): number;
  mimePart(type: number, nameLen: number): number;
  mimeWrite(off: number, len: number): number;
  mimeFlush(): number;
  mimeEncodedSize(n: number, binary: number): number;
  mimeMaxPartBytes(maxSize: number, overhead: number, binary: number): number;
  mimeSplitPages(pageCount: number, cap: number): number;
}
export interface CoreLike { x: unknown }
