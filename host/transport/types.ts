// The one interface every transport (plain TCP, node:tls, mbedtls-wasm) offers the session.
// The session code never knows which engine runs underneath.

export interface TlsOptions {
  /** SNI and the name the certificate must match (never an IP for Microsoft 365). */
  servername: string;
  /** PEM CA bundle; undefined = the system's roots. */
  ca?: string | Buffer;
  /** Client certificate and key (PEM) for certificate-based relay connectors. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Only for lab use: skip certificate verification (the CLI warns loudly). */
  insecureSkipVerify?: boolean;
  /** Floor for the protocol version: 'TLSv1.2' (never lower) or 'TLSv1.3'. */
  minVersion?: "TLSv1.2" | "TLSv1.3";
}

export interface TlsInfo {
  protocol: string;          // e.g. "TLSv1.3"
  cipher: string;            // e.g. "TLS_AES_256_GCM_SHA384"
  peerSubject: string;       // certificate subject CN (or "" when unverified)
  peerSubjectAltNames?: string;
  engine: "node-tls" | "mbedtls-wasm";
}

export interface Transport {
  /** Next bytes from the server; null at end of stream. Rejects with TransportError. */
  read(): Promise<Uint8Array | null>;
  /** Write bytes; resolves when the transport is done with them (honours back-pressure): the
   *  caller may reuse the buffer after that (host/core/mime.ts reuseOutput). */
  write(bytes: Uint8Array): Promise<void>;
  /**
   * STARTTLS (RFC 3207): start a TLS handshake over the existing connection. Every byte received
   * before the handshake completes is discarded (response-injection defence); returns what was
   * negotiated. Rejects with TransportError on any verification or handshake failure.
   */
  upgradeTls(options: TlsOptions): Promise<TlsInfo>;
  /** Whether the connection is currently TLS, and what was negotiated. */
  readonly tls: TlsInfo | null;
  /** Bytes written and read so far on the wire (for the JSON result and benchmarks). */
  readonly bytesWritten: number;
  readonly bytesRead: number;
  close(): void;
}

export type TransportErrorCode =
  | "DNS_FAILURE"
  | "CONNECT_REFUSED"
  | "CONNECT_TIMEOUT"
  | "READ_TIMEOUT"
  | "CONNECTION_RESET"
  | "TLS_HANDSHAKE_FAILED"
  | "TLS_CERT_UNTRUSTED"
  | "TLS_CERT_EXPIRED"
  | "TLS_HOSTNAME_MISMATCH"
  | "TLS_VERSION_TOO_OLD"
  | "TLS_ENGINE_UNAVAILABLE"
  // Added by the transport (additive): a write that never drained within the phase timeout, a
  // certificate whose validity starts in the future (often a device clock that is wrong), and a
  // host with no route (cable, VLAN, gateway).
  | "WRITE_TIMEOUT"
  | "TLS_CERT_NOT_YET_VALID"
  | "HOST_UNREACHABLE";

/** A transport failure the user can act on: a code and a plain-words message. */
export class TransportError extends Error {
  constructor(
    readonly code: TransportErrorCode,
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
    this.name = "TransportError";
  }
}

/**
 * A TLS engine runs a client handshake over an already connected TCP socket (STARTTLS upgrade
 * or implicit TLS) and then carries the encrypted stream. The board profile picks the engine:
 * "node-tls" (node:tls) or "mbedtls-wasm" (mbedTLS compiled to WebAssembly).
 */
export interface TlsEngine {
  readonly name: "node-tls" | "mbedtls-wasm";
  /**
   * Handshake over `socket`, which the engine owns from now on. The caller has already stopped
   * reading plaintext from it and discarded anything buffered. Rejects with TransportError.
   */
  connect(socket: import("node:net").Socket, options: TlsOptions): Promise<SecureChannel>;
}

/** The application-data side of an established TLS connection. */
export interface SecureChannel {
  read(): Promise<Uint8Array | null>;
  write(bytes: Uint8Array): Promise<void>;
  readonly info: TlsInfo;
  close(): void;
}
