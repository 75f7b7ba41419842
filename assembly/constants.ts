// The ABI's constants, exported as wasm globals by a module of their own (build/core.abi.wasm):
// Field*, Event*/Record*, Class*, Reason*, Detail*, Cmd*, State*, Info*, FieldMime*, MimeMark*,
// MimeField*, MimeType*, BodyMode*, Cap*, Mech*, TlsPolicy*, StatusBusy, MaxRecipients.
// scripts/abi-constants.mjs reads its globals and writes host/core/abi.ts and the C replayer's
// table, so the host and the firmware binding take every number from the core's own sources.
// The core (assembly/index.ts) exports only functions: there the constants are folded into code.
export * from "./smtp/fields";
export * from "./smtp/events";
export {
  InfoInPtr, InfoInCap, InfoOutPtr, InfoState, InfoCapFlags, InfoCapSize, InfoCapAuth, InfoMemoryBytes,
  InfoMimeSize, InfoMimeStaged, InfoMimeReason,
} from "./info";
export {
  FieldMimeStage, FieldMimeBinary, FieldMime8bit, FieldMimeScalar, FieldMimeCount,
  MimeMarkBegin, MimeMarkBody, MimeMarkPartEnd, MimeMarkEnd,
  MimeFieldFrom, MimeFieldTo, MimeFieldCc, MimeFieldReplyTo, MimeFieldSubject, MimeFieldDate,
  MimeFieldMessageId, MimeTypeOctet, MimeTypePdf, MimeTypeTiff, MimeTypeJpeg, MimeTypePng, MimeTypeText,
} from "./mime/consts";
