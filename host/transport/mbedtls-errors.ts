// Turns what mbedTLS reports after a failed handshake into a TransportError a user can act on.
import { TransportError } from "./types.js";
import { say } from "../text/outcomes.js";
import { ERR } from "./mbedtls-module.js";

// X.509 verification flags (include/mbedtls/x509.h, MBEDTLS_X509_BADCERT_*).
const BADCERT_EXPIRED = 0x01;
const BADCERT_CN_MISMATCH = 0x04;
const BADCERT_NOT_TRUSTED = 0x08;
const BADCERT_FUTURE = 0x0200;

// TLS alert descriptions (RFC 5246 §7.2) worth naming in a message.
const ALERTS: Record<number, string> = {
  10: "unexpected_message",
  20: "bad_record_mac",
  40: "handshake_failure",
  42: "bad_certificate",
  45: "certificate_expired",
  46: "certificate_unknown",
  47: "illegal_parameter",
  48: "unknown_ca",
  49: "access_denied",
  50: "decode_error",
  51: "decrypt_error",
  70: "protocol_version",
  71: "insufficient_security",
  80: "internal_error",
  112: "unrecognized_name",
  116: "certificate_required",
};

export interface HandshakeFailure {
  code: number;          // mbedTLS return code
  text: string;          // mbedtls_strerror()
  verifyFlags: number;   // mbedtls_ssl_get_verify_result()
  alertDesc: number;     // last fatal alert received, or -1
  alertMinor: number;    // record-layer minor version of that alert, or -1
}

export function handshakeError(f: HandshakeFailure, servername: string): TransportError {
  const mbedtls = `(mbedTLS -0x${(-f.code).toString(16)}: ${f.text})`;
  if (f.code === ERR.CERT_VERIFY_FAILED) {
    const v = f.verifyFlags;
    if (v & BADCERT_NOT_TRUSTED)
      return new TransportError(
        "TLS_CERT_UNTRUSTED",
        say("DETAIL:MBEDTLS_CERT_UNTRUSTED", { servername }),
        false,
      );
    if (v & BADCERT_EXPIRED)
      return new TransportError("TLS_CERT_EXPIRED", say("DETAIL:MBEDTLS_CERT_EXPIRED", { servername }), false);
    if (v & BADCERT_FUTURE)
      return new TransportError("TLS_CERT_EXPIRED", say("DETAIL:MBEDTLS_CERT_FUTURE", { servername }), false);
    if (v & BADCERT_CN_MISMATCH)
      return new TransportError(
        "TLS_HOSTNAME_MISMATCH",
        say("DETAIL:MBEDTLS_HOSTNAME_MISMATCH", { servername }),
        false,
      );
    return new TransportError("TLS_CERT_UNTRUSTED", say("DETAIL:MBEDTLS_CERT_REJECTED", { servername, flags: v.toString(16) }), false);
  }
  if (f.code === ERR.CA_CHAIN_REQUIRED)
    return new TransportError("TLS_CERT_UNTRUSTED", say("DETAIL:MBEDTLS_NO_CA"), false);
  if (f.code === ERR.BAD_PROTOCOL_VERSION)
    return new TransportError("TLS_VERSION_TOO_OLD", say("DETAIL:MBEDTLS_VERSION_TOO_OLD", { servername, mbedtls }), false);
  if (f.code === ERR.FATAL_ALERT) {
    const name = ALERTS[f.alertDesc] ?? `alert ${f.alertDesc}`;
    // A server that only speaks TLS 1.0/1.1 answers our 1.2-only hello with protocol_version,
    // or with handshake_failure sent in a pre-1.2 record (it found no 1.2-only suite it knows).
    if (f.alertDesc === 70 || (f.alertMinor >= 0 && f.alertMinor < 3))
      return new TransportError("TLS_VERSION_TOO_OLD", say("DETAIL:MBEDTLS_NO_TLS12", { servername, alert: name }), false);
    return new TransportError("TLS_HANDSHAKE_FAILED", say("DETAIL:MBEDTLS_HANDSHAKE_REFUSED", { servername, alert: name }), false);
  }
  if (f.code === ERR.CONN_EOF)
    return new TransportError("TLS_HANDSHAKE_FAILED", say("DETAIL:MBEDTLS_CLOSED_IN_HANDSHAKE", { servername }), true);
  if (f.code === -0x7080 /* MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE */)
    // mbedTLS 2.28 cannot reassemble a handshake message split over several records; servers
    // split the certificate chain when max_fragment_length is smaller than it.
    return new TransportError(
      "TLS_HANDSHAKE_FAILED",
      say("DETAIL:MBEDTLS_FRAGMENTED", { servername, mbedtls }),
      false,
    );
  if (f.code === ERR.ALLOC_FAILED || f.code === -0x10 /* MBEDTLS_ERR_MPI_ALLOC_FAILED */)
    return new TransportError("TLS_HANDSHAKE_FAILED", say("DETAIL:MBEDTLS_HANDSHAKE_OUT_OF_MEMORY", { mbedtls }), true);
  return new TransportError("TLS_HANDSHAKE_FAILED", say("DETAIL:MBEDTLS_NOT_TLS12", { servername, mbedtls }), false);
}
