// Configuration fields and enumerations of the session ABI. Every constant here is exported from
// the wasm as a global (assembly/index.ts re-exports it), so the host reads the numbers from the
// module itself and the two sides cannot drift apart.

// setString(field, len): UTF-8 at the staging area
export const FieldClientName: i32 = 1;   // EHLO domain / address literal
export const FieldUsername: i32 = 2;     // SASL authentication identity
export const FieldPassword: i32 = 3;     // PLAIN/LOGIN secret (wiped after use)
export const FieldMailFrom: i32 = 4;     // reverse-path, without <>
export const FieldRcptTo: i32 = 5;       // forward-path: each call adds one recipient
export const FieldClearRecipients: i32 = 6; // setString(FieldClearRecipients, 0): empty the list
export const FieldEnvId: i32 = 7;        // DSN envelope id (RFC 3461 §4.4), printable ASCII; sent as xtext

// setInt(field, value)
export const FieldTlsPolicy: i32 = 20;   // TlsPolicy*
export const FieldAuthMechs: i32 = 21;   // bit set of Mech* the config allows (0 = no AUTH)
export const FieldAllowPlaintextAuth: i32 = 22; // 1 = may send credentials without TLS (default 0)
export const FieldUsePipelining: i32 = 23;      // 1 = pipeline when offered (default 1)
export const FieldAllRecipientsRequired: i32 = 24; // 1 = any rejected RCPT aborts the message
export const FieldTlsActive: i32 = 25;   // 1 = the connection is already TLS (implicit TLS, 465)
export const FieldBdatChunk: i32 = 26;   // BDAT chunk payload in bytes (default: out buffer)
export const FieldSmtpUtf8: i32 = 27;    // 1 = envelope needs SMTPUTF8 (RFC 6531)
export const FieldPipelineAuth: i32 = 28; // 1 = AUTH PLAIN opens the envelope's pipelined group (default 0)
export const FieldReplyMaxLines: i32 = 29; // lines one reply may have (default 1000; ≥ 1)
export const FieldReplyMaxBytes: i32 = 30; // bytes one reply may have, line ends included (default 65536; ≥ 512)
export const FieldDsn: i32 = 31;         // 1 = ask for DSNs when offered: RET=HDRS ENVID, NOTIFY=FAILURE,DELAY (default 0)
export const FieldBdatWindow: i32 = 32;  // BDAT bytes sent ahead of their replies (0 = queue cap only)

export const TlsPolicyNone: i32 = 0;          // never STARTTLS
export const TlsPolicyOpportunistic: i32 = 1; // STARTTLS when offered
export const TlsPolicyRequired: i32 = 2;      // fail if not offered — never downgrade

export const MechPlain: i32 = 1;
export const MechLogin: i32 = 2;
export const MechXoauth2: i32 = 4;

// sendEnvelope(size, mode): how the body will travel
export const BodyMode7Bit: i32 = 0;       // DATA, 7-bit (base64 attachments)
export const BodyMode8BitMime: i32 = 1;   // DATA with BODY=8BITMIME (RFC 6152)
export const BodyModeBinaryMime: i32 = 2; // BDAT with BODY=BINARYMIME (RFC 3030)
export const BodyModeChunked: i32 = 3;    // BDAT without BINARYMIME (RFC 3030 CHUNKING only)

// capFlags(): extension table from the last EHLO (RFC 5321 §4.1.1.1)
export const CapPipelining: i32 = 1;
export const CapStartTls: i32 = 2;
export const CapSize: i32 = 4;
export const Cap8BitMime: i32 = 8;
export const CapSmtpUtf8: i32 = 16;
export const CapChunking: i32 = 32;
export const CapBinaryMime: i32 = 64;
export const CapEnhancedStatusCodes: i32 = 128;
export const CapDsn: i32 = 256;
export const CapAuth: i32 = 512;

// Limits (read them from the module instead of hard-coding them in the host)
export const MaxRecipients: i32 = 100;   // recipients per message
