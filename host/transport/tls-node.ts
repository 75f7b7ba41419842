// The "node-tls" TlsEngine: node:tls (OpenSSL) over an already connected TCP socket.
// Policy: TLS 1.2 is the floor, always (RFC 8996 deprecates 1.0/1.1; Microsoft 365 refuses them).
// Certificate chain and host name are verified unless the caller explicitly asks otherwise.
import * as tls from "node:tls";
import { isIP, type Socket } from "node:net";
import { DuplexIo } from "./stream-io.js";
import { TransportError, type SecureChannel, type TlsEngine, type TlsInfo, type TlsOptions } from "./types.js";
import { say } from "../text/outcomes.js";

const UNTRUSTED = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_UNTRUSTED",
  "CERT_SIGNATURE_FAILURE",
  "CERT_REJECTED",
  "INVALID_CA",
  "CERT_REVOKED",
  "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
  "PATH_LENGTH_EXCEEDED",
  "INVALID_PURPOSE",
]);

const VERSION = new Set([
  "ERR_SSL_UNSUPPORTED_PROTOCOL",
  "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION",
  "ERR_SSL_NO_PROTOCOLS_AVAILABLE",
  "ERR_SSL_VERSION_TOO_LOW",
]);

/** Map a node:tls / OpenSSL failure to a TransportError an office admin can act on. */
export function mapTlsError(e: NodeJS.ErrnoException, server: string): TransportError {
  const code = e.code ?? "";
  if (e instanceof TransportError) return e;
  if (code === "CERT_HAS_EXPIRED") {
    return new TransportError("TLS_CERT_EXPIRED", say("DETAIL:TLS_CERT_EXPIRED", { server }), false);
  }
  if (code === "CERT_NOT_YET_VALID") {
    return new TransportError("TLS_CERT_NOT_YET_VALID", say("DETAIL:TLS_CERT_NOT_YET_VALID", { server }), false);
  }
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    return new TransportError("TLS_HOSTNAME_MISMATCH", say("DETAIL:TLS_HOSTNAME_MISMATCH", { server }), false);
  }
  if (UNTRUSTED.has(code)) {
    return new TransportError("TLS_CERT_UNTRUSTED", code === "DEPTH_ZERO_SELF_SIGNED_CERT" ? say("DETAIL:TLS_CERT_SELF_SIGNED", { server }) : say("DETAIL:TLS_CERT_UNTRUSTED", { server, reason: code.toLowerCase().replace(/_/g, " ") }), false);
  }
  if (VERSION.has(code)) {
    return new TransportError("TLS_VERSION_TOO_OLD", say("DETAIL:TLS_VERSION_TOO_OLD", { server }), false);
  }
  if (code === "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED" || code === "ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE") {
    return new TransportError("TLS_HANDSHAKE_FAILED", say("DETAIL:TLS_CLIENT_CERT_REFUSED", { server }), false);
  }
  if (code === "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE") {
    return new TransportError("TLS_HANDSHAKE_FAILED", say("DETAIL:TLS_NO_SHARED_SETTINGS", { server }), false);
  }
  if (code === "ECONNRESET" || code === "EPIPE" || /socket disconnected|socket hang up/i.test(e.message)) {
    return new TransportError("TLS_HANDSHAKE_FAILED", say("DETAIL:TLS_CLOSED_IN_HANDSHAKE", { server }), true);
  }
  // OpenSSL errors carry a short `reason` ("wrong version number"); the message has file paths.
  const reason = (e as { reason?: string }).reason ?? code ?? e.message;
  return new TransportError("TLS_HANDSHAKE_FAILED", say("DETAIL:TLS_FAILED", { server, reason }), false);
}

function peerInfo(t: tls.TLSSocket): TlsInfo {
  const peer = t.getPeerCertificate(false);
  const cn = peer && peer.subject ? peer.subject.CN : "";
  return {
    protocol: t.getProtocol() ?? "",
    cipher: t.getCipher()?.standardName ?? t.getCipher()?.name ?? "",
    peerSubject: Array.isArray(cn) ? cn.join(",") : (cn ?? ""),
    peerSubjectAltNames: peer?.subjectaltname,
    engine: "node-tls",
  };
}

class NodeSecureChannel implements SecureChannel {
  private readonly io: DuplexIo;
  constructor(private readonly socket: tls.TLSSocket, server: string, readonly info: TlsInfo) {
    this.io = new DuplexIo(
      socket,
      (e) => mapTlsError(e as NodeJS.ErrnoException, server),
      () => new TransportError("CONNECTION_RESET", say("DETAIL:TLS_SERVER_CLOSED", { server }), true),
    );
  }
  read(): Promise<Uint8Array | null> {
    return this.io.read();
  }
  write(bytes: Uint8Array): Promise<void> {
    return this.io.write(bytes);
  }
  close(): void {
    // end() sends close_notify, then FIN; destroy if the server does not answer in time.
    if (this.socket.destroyed) return;
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }
}

export const nodeTlsEngine: TlsEngine = {
  name: "node-tls",
  connect(socket: Socket, options: TlsOptions): Promise<SecureChannel> {
    const server = options.servername;
    // Only "TLSv1.3" may raise the floor; anything else (including a JS caller passing
    // "TLSv1.1") stays at TLS 1.2.
    const minVersion: tls.SecureVersion = options.minVersion === "TLSv1.3" ? "TLSv1.3" : "TLSv1.2";
    const ipLiteral = isIP(server) !== 0;
    return new Promise((resolve, reject) => {
      const t = tls.connect({
        socket,
        // `host` is the name checkServerIdentity() verifies; SNI must not carry an IP literal
        // (RFC 6066 §3), so servername is only set for DNS names.
        host: server,
        servername: ipLiteral ? undefined : server,
        ca: options.ca,
        cert: options.cert,
        key: options.key,
        minVersion,
        rejectUnauthorized: options.insecureSkipVerify !== true,
      });
      const onError = (e: Error): void => {
        t.off("secureConnect", onSecure);
        t.destroy();
        reject(mapTlsError(e as NodeJS.ErrnoException, server));
      };
      const onSecure = (): void => {
        t.off("error", onError);
        resolve(new NodeSecureChannel(t, server, peerInfo(t)));
      };
      t.once("error", onError);
      t.once("secureConnect", onSecure);
    });
  },
};
