// Runtime certificate generation (node-forge) for the simulator and every TLS test.
// Nothing here is ever committed as a file: certificates live only as long as the process.
//
// Keys come from node:crypto (native, ~50 ms for RSA-2048) and are converted to forge objects;
// forge's pure-JS key generation would take seconds per key.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { isIP } from "node:net";
import forge from "node-forge";

const { pki, md } = forge;

export interface CertPair {
  /** PEM certificate. */
  cert: string;
  /** PEM private key (PKCS#1 RSA). */
  key: string;
}

export interface CertificateAuthority extends CertPair {
  /** Issue further certificates with this CA. */
  readonly forgeCert: forge.pki.Certificate;
  readonly forgeKey: forge.pki.rsa.PrivateKey;
}

export interface ValidityOptions {
  /** Already expired: valid from two days ago until yesterday. */
  expired?: boolean;
  /** Not valid yet: valid from tomorrow (a device with a wrong clock sees this too). */
  notYetValid?: boolean;
  /** Lifetime in days for a normal certificate (default 7). */
  days?: number;
}

export interface ServerCertOptions extends ValidityOptions {
  /** DNS names for subjectAltName (default ["localhost"]). IP literals here go to iPAddress. */
  names?: string[];
  /** Subject CN (default: the first name). */
  commonName?: string;
  /** RSA key size (default 2048). */
  keyBits?: number;
}

export interface ClientCertOptions extends ValidityOptions {
  commonName: string;
  /** Extra SANs: DNS names, IP literals or e-mail addresses (contain "@"). */
  altNames?: string[];
  keyBits?: number;
}

const DAY_MS = 24 * 3600 * 1000;

function newKeyPair(bits: number): { pub: forge.pki.rsa.PublicKey; priv: forge.pki.rsa.PrivateKey; pem: string } {
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: bits,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const priv = pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
  const pub = pki.setRsaPublicKey(priv.n, priv.e);
  return { pub, priv, pem: privateKey };
}

function applyValidity(cert: forge.pki.Certificate, v: ValidityOptions): void {
  const now = Date.now();
  if (v.expired) {
    cert.validity.notBefore = new Date(now - 2 * DAY_MS);
    cert.validity.notAfter = new Date(now - DAY_MS);
  } else if (v.notYetValid) {
    cert.validity.notBefore = new Date(now + DAY_MS);
    cert.validity.notAfter = new Date(now + 2 * DAY_MS);
  } else {
    // Backdate by an hour so small clock differences between peers do not matter.
    cert.validity.notBefore = new Date(now - 3600 * 1000);
    cert.validity.notAfter = new Date(now + (v.days ?? 7) * DAY_MS);
  }
}

function serial(): string {
  // Positive 16-byte serial (RFC 5280 §4.1.2.2: positive, at most 20 octets).
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString("hex");
}

function altNamesFor(names: string[]): object[] {
  return names.map((n) =>
    isIP(n) ? { type: 7, ip: n } : n.includes("@") ? { type: 1, value: n } : { type: 2, value: n },
  );
}

/** A fresh root CA (10-year-style lifetime is not needed: 30 days). */
export function createCa(commonName = "mfp-mail test CA", keyBits = 2048): CertificateAuthority {
  const keys = newKeyPair(keyBits);
  const cert = pki.createCertificate();
  cert.publicKey = keys.pub;
  cert.serialNumber = serial();
  applyValidity(cert, { days: 30 });
  const attrs = [{ name: "commonName", value: commonName }, { name: "organizationName", value: "mfp-mail" }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  cert.sign(keys.priv, md.sha256.create());
  return { cert: pki.certificateToPem(cert), key: keys.pem, forgeCert: cert, forgeKey: keys.priv };
}

function issue(
  issuer: CertificateAuthority | null,
  commonName: string,
  altNames: string[],
  usage: "server" | "client",
  v: ValidityOptions & { keyBits?: number },
): CertPair {
  const keys = newKeyPair(v.keyBits ?? 2048);
  const cert = pki.createCertificate();
  cert.publicKey = keys.pub;
  cert.serialNumber = serial();
  applyValidity(cert, v);
  cert.setSubject([{ name: "commonName", value: commonName }]);
  cert.setIssuer(issuer ? issuer.forgeCert.subject.attributes : [{ name: "commonName", value: commonName }]);
  const exts: object[] = [
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: usage === "server", clientAuth: usage === "client" },
    { name: "subjectKeyIdentifier" },
  ];
  if (altNames.length > 0) exts.push({ name: "subjectAltName", altNames: altNamesFor(altNames) });
  cert.setExtensions(exts);
  cert.sign(issuer ? issuer.forgeKey : keys.priv, md.sha256.create());
  return { cert: pki.certificateToPem(cert), key: keys.pem };
}

/** A server certificate signed by `ca` for the given names (DNS names and/or IP literals). */
export function issueServerCert(ca: CertificateAuthority, opts: ServerCertOptions = {}): CertPair {
  const names = opts.names ?? ["localhost"];
  return issue(ca, opts.commonName ?? names[0] ?? "localhost", names, "server", opts);
}

/** A client certificate (extKeyUsage clientAuth) signed by `ca`, for relay-connector tests. */
export function issueClientCert(ca: CertificateAuthority, opts: ClientCertOptions): CertPair {
  return issue(ca, opts.commonName, opts.altNames ?? [], "client", opts);
}

/** A self-signed server certificate with no CA behind it (what many office NAS/MTA boxes ship). */
export function selfSignedServerCert(opts: ServerCertOptions = {}): CertPair {
  const names = opts.names ?? ["localhost"];
  return issue(null, opts.commonName ?? names[0] ?? "localhost", names, "server", opts);
}

/** Convenience for the simulator and tests: a CA plus one server certificate for loopback. */
export function loopbackServerCredentials(names: string[] = ["localhost", "127.0.0.1", "::1"]): {
  ca: CertificateAuthority;
  server: CertPair;
} {
  const ca = createCa();
  return { ca, server: issueServerCert(ca, { names }) };
}
