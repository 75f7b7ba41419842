// The MIME writer's vocabulary shared by host/core/mime.ts and its callers: option and field
// numbers of the core's ABI (assembly/mime/abi.ts), its error codes with plain-words messages,
// and the shapes of a message, an attachment and the core exports the writer drives.

export const MimeOk = 0;
export const MimeDrain = 1;
export const MimeOpt = { binary: 1, eightBit: 2, scalar: 3, count: 4 } as const;
export const MimeField = { from: 1, to: 2, cc: 3, replyTo: 4, subject: 10, date: 11, messageId: 12 } as const;
export const MimeType = {
  "application/octet-stream": 0, "application/pdf": 1, "image/tiff": 2, "image/jpeg": 3, "image/png": 4, "text/plain": 5,
} as const;
export type AttachmentType = keyof typeof MimeType;

/** Error codes of the writer with plain-words messages (panel text on the device). */
export const MimeErrors: Record<number, { code: string; message: string }> = {
  [-1]: { code: "MIME_STATE", message: "The message writer was driven out of order." },
  [-2]: { code: "MIME_HEADER_INJECTION", message: "A header value contains a line break or NUL character; nothing was sent." },
  [-3]: { code: "MIME_TOO_LONG", message: "A subject, name, address or file name is too long." },
  [-4]: { code: "MIME_BAD_ADDRESS", message: "An e-mail address is not valid (expected name@domain, ASCII only)." },
  [-5]: { code: "MIME_BAD_BOUNDARY", message: "The boundary random must be 16–48 letters or digits." },
  [-6]: { code: "MIME_BOUNDARY_COLLISION", message: "The attachment contained the MIME boundary; send again with a new boundary." },
  [-7]: { code: "MIME_NOT_CONFIGURED", message: "The message writer has no buffers; call configure first." },
  [-8]: { code: "MIME_BAD_UTF8", message: "A header value is not valid UTF-8 text." },
  [-9]: { code: "MIME_BAD_ARGUMENT", message: "A header field, date, message id or content type is not acceptable." },
  [-10]: { code: "MIME_PAGE_TOO_BIG", message: "One scanned page alone is larger than the server's message size limit." },
  [-11]: { code: "MIME_MISSING_HEADER", message: "A message needs a From address and a Date." },
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

/** Raw exports the helper uses (a subset of build/core.wasm's). */
export interface MimeExports {
  memory: WebAssembly.Memory;
  inPtr(): number; inCap(): number; outPtr(): number; outLen(): number; outConsume(n: number): void;
  mimeConfigure(stageCap: number): number;
  mimeSetOption(opt: number, value: number): number;
  mimeBegin(randLen: number): number;
  mimeHeader(field: number, len: number): number;
  mimeAddress(field: number, nameLen: number, addrLen: number): number;
  mimeBodyBegin(): number;
  mimeText(off: number, len: number): number;
  mimePartBegin(type: number, nameLen: number): number;
  mimeData(off: number, len: number): number;
  mimePartSize(n: number): number;
  mimePartEnd(): number;
  mimeEnd(): number;
  mimeFlush(): number;
  mimePending(): number;
  mimeSize(): number;
  mimeEncodedSize(n: number, binary: number): number;
  mimeMaxPartBytes(maxSize: number, overhead: number, binary: number): number;
  mimeSplitPages(pageCount: number, cap: number): number;
}
export interface CoreLike { x: unknown }
