/*
 * mfp-mail: mbedTLS 2.28 configuration for the mbedtls-wasm engine (wasm32-wasi, reactor).
 *
 * A TLS 1.2 CLIENT only, for SMTP submission from a printer board:
 *   key exchange   ECDHE-ECDSA, ECDHE-RSA (forward secrecy only; no static RSA, no DHE)
 *   ciphers        AES-128/256-GCM, ChaCha20-Poly1305 (AEAD only; no CBC, no MAC-then-encrypt)
 *   groups         X25519, secp256r1, secp384r1
 *   certificates   X.509 + PEM, RSA (PKCS#1 v1.5) and ECDSA signatures, SHA-256/384/512
 *   extensions     SNI, extended master secret (RFC 7627), max_fragment_length (RFC 6066 §4)
 *   client auth    optional client certificate (RSA or ECDSA key) for certificate-based connectors
 * Nothing touches a file system, threads, sockets or timers: I/O and entropy are host imports
 * (see tls_glue.c); time comes from WASI clock_time_get (for certificate validity).
 *
 * Used as the complete configuration: build.sh passes -DMBEDTLS_CONFIG_FILE="mbedtls_config.h".
 */
#ifndef MFP_MBEDTLS_CONFIG_H
#define MFP_MBEDTLS_CONFIG_H

/* --- system support ---------------------------------------------------------------------- */
/* time() → WASI clock_time_get; needed to reject expired / not-yet-valid certificates. */
#define MBEDTLS_HAVE_TIME
#define MBEDTLS_HAVE_TIME_DATE
/* calloc/free go through the glue so it can count the heap high-water mark (docs figure). */
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_PLATFORM_CALLOC_MACRO mfp_tls_calloc
#define MBEDTLS_PLATFORM_FREE_MACRO   mfp_tls_free
#include <stddef.h>
void *mfp_tls_calloc(size_t n, size_t size);
void mfp_tls_free(void *p);

/* --- entropy: the board/host supplies it (crypto.getRandomValues) ------------------------ */
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_ENTROPY_HARDWARE_ALT       /* mbedtls_hardware_poll() in tls_glue.c */
#define MBEDTLS_ENTROPY_C
#define MBEDTLS_ENTROPY_FORCE_SHA256       /* SHA-256 is linked anyway; keeps the pool small */
#define MBEDTLS_CTR_DRBG_C

/* --- symmetric crypto -------------------------------------------------------------------- */
#define MBEDTLS_AES_C
#define MBEDTLS_AES_ROM_TABLES             /* tables in the data segment, not built at run time */
#define MBEDTLS_AES_FEWER_TABLES           /* 8 KiB of tables instead of 32 KiB */
#define MBEDTLS_GCM_C
#define MBEDTLS_CHACHA20_C
#define MBEDTLS_POLY1305_C
#define MBEDTLS_CHACHAPOLY_C
#define MBEDTLS_CIPHER_C
#define MBEDTLS_MD_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA512_C                   /* SHA-384 suites and certificates */
#define MBEDTLS_SHA256_SMALLER
#define MBEDTLS_SHA512_SMALLER

/* --- public-key crypto ------------------------------------------------------------------- */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_MPI_WINDOW_SIZE 2          /* less RAM for RSA; client only verifies (e=65537) */
#define MBEDTLS_MPI_MAX_SIZE 512           /* RSA up to 4096 bits */
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#define MBEDTLS_ECP_DP_CURVE25519_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECP_WINDOW_SIZE 4          /* RAM vs speed: 4 keeps precomputation small */
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 0    /* no per-curve cached tables (saves heap) */
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_PKCS1_V21                  /* RSASSA-PSS certificate signatures */
#define MBEDTLS_X509_RSASSA_PSS_SUPPORT
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C               /* ECDSA signatures (client certificate) */
#define MBEDTLS_OID_C

/* --- X.509 / PEM ------------------------------------------------------------------------- */
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
#define MBEDTLS_X509_CHECK_KEY_USAGE
#define MBEDTLS_X509_CHECK_EXTENDED_KEY_USAGE
#define MBEDTLS_X509_MAX_INTERMEDIATE_CA 8
#define MBEDTLS_PEM_PARSE_C
#define MBEDTLS_BASE64_C

/* --- TLS --------------------------------------------------------------------------------- */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_PROTO_TLS1_2           /* the only version: 1.0/1.1 refused, 1.3 not built */
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
#define MBEDTLS_SSL_MAX_FRAGMENT_LENGTH
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
#define MBEDTLS_SSL_ALL_ALERT_MESSAGES
#define MBEDTLS_SSL_KEEP_PEER_CERTIFICATE  /* subject / SANs for TlsInfo and `doctor` */
#define MBEDTLS_ERROR_C                    /* mbedtls_strerror() for the last-error string */

/*
 * Record buffers. mbedTLS 2.28 cannot reassemble a TLS handshake message spread over several
 * records, so the input buffer must hold the largest one (the server's certificate chain) and
 * any 16 KiB record a server may send: IN stays at the RFC maximum. The client controls what it
 * sends, so OUT is 4 KiB (SMTP DATA goes out as 4 KiB records). MBEDTLS_SSL_VARIABLE_BUFFER_LENGTH
 * (shrink IN after the handshake) is left out: in 2.28.3 it broke reception of 16 KiB records
 * from node:tls servers ("bad input parameters") in our tests.
 */
#define MBEDTLS_SSL_IN_CONTENT_LEN  16384
#define MBEDTLS_SSL_OUT_CONTENT_LEN 4096

#define MBEDTLS_SSL_CIPHERSUITES \
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, \
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, \
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, \
    MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, \
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, \
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256

#include "mbedtls/check_config.h"

#endif /* MFP_MBEDTLS_CONFIG_H */
