/*
 * mfp-mail: a minimal non-blocking TLS 1.2 client API over mbedTLS 2.28, for WebAssembly.
 *
 * One wasm instance serves any number of connections. Each connection has a host-chosen id that
 * the I/O imports carry back, so the host can route bytes to the right socket. The host owns all
 * I/O: `send` queues bytes for the socket (it always accepts everything: back-pressure is the
 * host's job), `recv` hands over bytes already received (or says "nothing yet" → WANT_READ, or
 * "peer closed" → 0). Every exported call returns at once; the host calls again when data arrives.
 *
 * Return conventions: >= 0 success (byte counts), < 0 an mbedTLS error code. Strings returned as
 * pointers are NUL-terminated and stay valid until the connection is freed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"
#include "mbedtls/error.h"
#include "mbedtls/pk.h"
#include "mbedtls/ssl.h"
#include "mbedtls/x509_crt.h"

#define EXPORT(name) __attribute__((export_name(name)))
#define IMPORT(name) __attribute__((import_module("mfp_tls"), import_name(name)))

/* Host imports. send/recv return a byte count; recv returns -1 when nothing is buffered yet. */
IMPORT("send") int32_t host_send(uint32_t conn_id, const uint8_t *buf, uint32_t len);
IMPORT("recv") int32_t host_recv(uint32_t conn_id, uint8_t *buf, uint32_t len);
IMPORT("random") int32_t host_random(uint8_t *buf, uint32_t len);

/* ---------------------------------------------------------------- heap accounting ------- */
/* Every mbedTLS allocation passes here (MBEDTLS_PLATFORM_CALLOC_MACRO), with an 8-byte size
 * header, so the host can read the heap in use and its high-water mark. */
static size_t heap_now, heap_peak;

void *mfp_tls_calloc(size_t n, size_t size) {
    if (size != 0 && n > (SIZE_MAX - 8) / size) return NULL;
    size_t bytes = n * size;
    uint8_t *p = calloc(1, bytes + 8);
    if (p == NULL) return NULL;
    memcpy(p, &bytes, sizeof bytes);
    heap_now += bytes;
    if (heap_now > heap_peak) heap_peak = heap_now;
    return p + 8;
}

void mfp_tls_free(void *ptr) {
    if (ptr == NULL) return;
    uint8_t *p = (uint8_t *)ptr - 8;
    size_t bytes;
    memcpy(&bytes, p, sizeof bytes);
    heap_now -= bytes;
    free(p);
}

EXPORT("tls_heap_now") uint32_t tls_heap_now(void) { return (uint32_t)heap_now; }
EXPORT("tls_heap_peak") uint32_t tls_heap_peak(void) { return (uint32_t)heap_peak; }
EXPORT("tls_heap_reset_peak") void tls_heap_reset_peak(void) { heap_peak = heap_now; }

/* Buffers the host fills with PEM, host names and application data. */
EXPORT("tls_alloc") void *tls_alloc(uint32_t len) { return malloc(len ? len : 1); }
EXPORT("tls_dealloc") void tls_dealloc(void *p) { free(p); }

/* ---------------------------------------------------------------- entropy -------------- */
/* MBEDTLS_ENTROPY_HARDWARE_ALT: the only entropy source is the host's CSPRNG. */
int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len, size_t *olen) {
    (void)data;
    if (host_random(output, (uint32_t)len) != 0) return MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
    *olen = len;
    return 0;
}

/* ---------------------------------------------------------------- connections ---------- */
typedef struct {
    uint32_t id;
    mbedtls_ssl_context ssl;
    mbedtls_ssl_config conf;
    mbedtls_x509_crt ca;
    mbedtls_x509_crt own_cert;
    mbedtls_pk_context own_key;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    uint8_t expected_ip[16];   /* server given as an IP literal: the iPAddress SAN to match */
    uint32_t expected_ip_len;  /* 0 (host name), 4 or 16 */
    int last_error;
    int alert_desc;      /* description of the last fatal alert received, or -1 */
    int alert_minor;     /* record-layer minor version of that alert (1 = TLS 1.0 … 3 = TLS 1.2) */
    char error_text[160];
    char subject[256];
    char alt_names[512];
} conn_t;

static int bio_send(void *ctx, const unsigned char *buf, size_t len) {
    conn_t *c = ctx;
    int32_t n = host_send(c->id, buf, (uint32_t)len);
    return n < 0 ? MBEDTLS_ERR_SSL_WANT_WRITE : n;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len) {
    conn_t *c = ctx;
    int32_t n = host_recv(c->id, buf, (uint32_t)len);
    return n < 0 ? MBEDTLS_ERR_SSL_WANT_READ : n; /* 0 = peer closed the TCP stream */
}

static int fail(conn_t *c, int rc) {
    if (rc < 0 && rc != MBEDTLS_ERR_SSL_WANT_READ && rc != MBEDTLS_ERR_SSL_WANT_WRITE) {
        c->last_error = rc;
        if (rc == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE && c->ssl.in_msg != NULL) {
            c->alert_desc = c->ssl.in_msg[1];
            c->alert_minor = c->ssl.in_hdr != NULL ? c->ssl.in_hdr[2] : -1;
        }
    }
    return rc;
}

/* Step 1: a connection with its own RNG and configuration. Returns NULL when out of memory. */
EXPORT("tls_new") conn_t *tls_new(uint32_t id) {
    conn_t *c = mfp_tls_calloc(1, sizeof *c);
    if (c == NULL) return NULL;
    c->id = id;
    c->alert_desc = -1;
    c->alert_minor = -1;
    mbedtls_ssl_init(&c->ssl);
    mbedtls_ssl_config_init(&c->conf);
    mbedtls_x509_crt_init(&c->ca);
    mbedtls_x509_crt_init(&c->own_cert);
    mbedtls_pk_init(&c->own_key);
    mbedtls_entropy_init(&c->entropy);
    mbedtls_ctr_drbg_init(&c->drbg);
    return c;
}

/* Step 2 (optional, repeatable): trusted CAs as PEM (with the terminating NUL counted in len,
 * as mbedtls_x509_crt_parse wants) or DER. Returns the number of certificates that failed to
 * parse (>= 0) or an error when none parsed. */
EXPORT("tls_add_ca") int tls_add_ca(conn_t *c, const uint8_t *buf, uint32_t len) {
    return fail(c, mbedtls_x509_crt_parse(&c->ca, buf, len));
}

/* Step 2 (optional): the client certificate (chain) and its private key (PEM + NUL, or DER). */
EXPORT("tls_set_own_cert") int tls_set_own_cert(conn_t *c, const uint8_t *cert, uint32_t cert_len,
                                                const uint8_t *key, uint32_t key_len) {
    int rc = mbedtls_x509_crt_parse(&c->own_cert, cert, cert_len);
    if (rc != 0) return fail(c, rc < 0 ? rc : MBEDTLS_ERR_X509_INVALID_FORMAT);
    rc = mbedtls_pk_parse_key(&c->own_key, key, key_len, NULL, 0);
    return fail(c, rc);
}

/* Step 2 (optional): the server was given as an IP address (4 or 16 bytes, network order).
 * mbedTLS 2.28 matches host names against dNSName/CN only, so an IP literal is checked here
 * against the iPAddress subjectAltName (RFC 5280 §4.2.1.6), and no SNI is sent for it
 * (RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted in HostName"). */
EXPORT("tls_expect_ip") int tls_expect_ip(conn_t *c, const uint8_t *ip, uint32_t len) {
    if (len != 4 && len != 16) return fail(c, MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    memcpy(c->expected_ip, ip, len);
    c->expected_ip_len = len;
    return 0;
}

static int verify_ip_san(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags) {
    const conn_t *c = ctx;
    if (depth != 0) return 0; /* only the server's own certificate names the server */
    for (const mbedtls_x509_sequence *s = &crt->subject_alt_names; s != NULL; s = s->next) {
        if (s->buf.p != NULL && s->buf.tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7) &&
            s->buf.len == c->expected_ip_len && memcmp(s->buf.p, c->expected_ip, c->expected_ip_len) == 0)
            return 0;
    }
    *flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
    return 0;
}

/* Step 3: finish the configuration and bind the SSL context.
 *   host      NUL-terminated: SNI (RFC 6066 §3) and the name the certificate must match
 *             (ignored after tls_expect_ip)
 *   verify    1 = verify the chain and host name (always, outside the lab); 0 = skip
 *   mfl_code  max_fragment_length (RFC 6066 §4): 0 none, 1 = 512, 2 = 1024, 3 = 2048, 4 = 4096 */
EXPORT("tls_setup") int tls_setup(conn_t *c, const char *host, int verify, int mfl_code) {
    static const char pers[] = "mfp-mail mbedtls-wasm";
    int rc = mbedtls_ctr_drbg_seed(&c->drbg, mbedtls_entropy_func, &c->entropy,
                                   (const unsigned char *)pers, sizeof pers - 1);
    if (rc != 0) return fail(c, rc);
    rc = mbedtls_ssl_config_defaults(&c->conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                     MBEDTLS_SSL_PRESET_DEFAULT);
    if (rc != 0) return fail(c, rc);
    /* TLS 1.2 only (RFC 8996 deprecates 1.0 and 1.1). */
    mbedtls_ssl_conf_min_version(&c->conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_max_version(&c->conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_rng(&c->conf, mbedtls_ctr_drbg_random, &c->drbg);
    mbedtls_ssl_conf_authmode(&c->conf, verify ? MBEDTLS_SSL_VERIFY_REQUIRED : MBEDTLS_SSL_VERIFY_NONE);
    mbedtls_ssl_conf_ca_chain(&c->conf, &c->ca, NULL);
    if (c->expected_ip_len != 0) mbedtls_ssl_conf_verify(&c->conf, verify_ip_san, c);
    if (mbedtls_pk_get_type(&c->own_key) != MBEDTLS_PK_NONE) {
        rc = mbedtls_ssl_conf_own_cert(&c->conf, &c->own_cert, &c->own_key);
        if (rc != 0) return fail(c, rc);
    }
    if (mfl_code > 0) {
        rc = mbedtls_ssl_conf_max_frag_len(&c->conf, (unsigned char)mfl_code);
        if (rc != 0) return fail(c, rc);
    }
    rc = mbedtls_ssl_setup(&c->ssl, &c->conf);
    if (rc != 0) return fail(c, rc);
    if (c->expected_ip_len == 0) {
        rc = mbedtls_ssl_set_hostname(&c->ssl, host);
        if (rc != 0) return fail(c, rc);
    }
    mbedtls_ssl_set_bio(&c->ssl, c, bio_send, bio_recv, NULL);
    return 0;
}

/* One handshake step: 0 = done, WANT_READ = call again when bytes arrive, < 0 = failed. */
EXPORT("tls_handshake") int tls_handshake(conn_t *c) {
    return fail(c, mbedtls_ssl_handshake(&c->ssl));
}

/* X.509 verification flags (MBEDTLS_X509_BADCERT_*) after a failed or finished handshake. */
EXPORT("tls_verify_flags") uint32_t tls_verify_flags(conn_t *c) {
    return mbedtls_ssl_get_verify_result(&c->ssl);
}

/* Application data out: bytes consumed (at most one record), or < 0. */
EXPORT("tls_write") int tls_write(conn_t *c, const uint8_t *buf, uint32_t len) {
    return fail(c, mbedtls_ssl_write(&c->ssl, buf, len));
}

/* Application data in: bytes read, 0 = the peer sent close_notify, WANT_READ, or < 0. */
EXPORT("tls_read") int tls_read(conn_t *c, uint8_t *buf, uint32_t len) {
    int rc = mbedtls_ssl_read(&c->ssl, buf, len);
    if (rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) return 0;
    return fail(c, rc);
}

/* Decrypted bytes already buffered inside mbedTLS (read them before waiting for the socket). */
EXPORT("tls_pending") uint32_t tls_pending(conn_t *c) {
    return (uint32_t)mbedtls_ssl_get_bytes_avail(&c->ssl);
}

EXPORT("tls_close_notify") int tls_close_notify(conn_t *c) {
    return fail(c, mbedtls_ssl_close_notify(&c->ssl));
}

EXPORT("tls_free") void tls_free(conn_t *c) {
    if (c == NULL) return;
    mbedtls_ssl_free(&c->ssl);
    mbedtls_ssl_config_free(&c->conf);
    mbedtls_x509_crt_free(&c->ca);
    mbedtls_x509_crt_free(&c->own_cert);
    mbedtls_pk_free(&c->own_key);
    mbedtls_ctr_drbg_free(&c->drbg);
    mbedtls_entropy_free(&c->entropy);
    mfp_tls_free(c);
}

/* ---------------------------------------------------------------- what happened -------- */
EXPORT("tls_last_error") int tls_last_error(conn_t *c) { return c->last_error; }
EXPORT("tls_alert_desc") int tls_alert_desc(conn_t *c) { return c->alert_desc; }
EXPORT("tls_alert_minor") int tls_alert_minor(conn_t *c) { return c->alert_minor; }

EXPORT("tls_error_text") const char *tls_error_text(conn_t *c, int code) {
    mbedtls_strerror(code, c->error_text, sizeof c->error_text);
    return c->error_text;
}

EXPORT("tls_version") const char *tls_version(conn_t *c) { return mbedtls_ssl_get_version(&c->ssl); }

EXPORT("tls_ciphersuite") const char *tls_ciphersuite(conn_t *c) {
    const char *s = mbedtls_ssl_get_ciphersuite(&c->ssl);
    return s != NULL ? s : "";
}

/* Subject DN of the server certificate ("CN=…, O=…"), "" when there is none. */
EXPORT("tls_peer_subject") const char *tls_peer_subject(conn_t *c) {
    const mbedtls_x509_crt *crt = mbedtls_ssl_get_peer_cert(&c->ssl);
    c->subject[0] = '\0';
    if (crt != NULL && mbedtls_x509_dn_gets(c->subject, sizeof c->subject, &crt->subject) < 0)
        c->subject[0] = '\0';
    return c->subject;
}

/* DNS subjectAltNames of the server certificate, node:tls style: "DNS:a, DNS:b". */
EXPORT("tls_peer_alt_names") const char *tls_peer_alt_names(conn_t *c) {
    const mbedtls_x509_crt *crt = mbedtls_ssl_get_peer_cert(&c->ssl);
    size_t used = 0;
    c->alt_names[0] = '\0';
    if (crt == NULL) return c->alt_names;
    for (const mbedtls_x509_sequence *s = &crt->subject_alt_names; s != NULL; s = s->next) {
        /* GeneralName dNSName is [2] IA5String (RFC 5280 §4.2.1.6). */
        if (s->buf.p == NULL || s->buf.tag != (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2)) continue;
        size_t need = (used ? 2 : 0) + 4 + s->buf.len;
        if (used + need + 1 > sizeof c->alt_names) break;
        if (used) { memcpy(c->alt_names + used, ", ", 2); used += 2; }
        memcpy(c->alt_names + used, "DNS:", 4); used += 4;
        memcpy(c->alt_names + used, s->buf.p, s->buf.len); used += s->buf.len;
        c->alt_names[used] = '\0';
    }
    return c->alt_names;
}

/* Size of the connection state itself (for the RAM figure in the docs). */
EXPORT("tls_conn_size") uint32_t tls_conn_size(void) { return (uint32_t)sizeof(conn_t); }
