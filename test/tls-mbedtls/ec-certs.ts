// ECDSA test certificates, generated at test time. node-forge only builds RSA certificates, so
// the X.509 structure (RFC 5280 §4.1) is assembled with forge's ASN.1 helpers and signed with
// node:crypto (ecdsa-with-SHA256 / SHA384, RFC 5758 §3.2).
import { createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import forge from "node-forge";

const { asn1 } = forge;
const T = asn1.Type;
const C = asn1.Class;

export interface EcCertPair {
  cert: string;
  key: string;
}
export interface EcCa extends EcCertPair {
  keyObject: KeyObject;
  name: string;
}

type Curve = "prime256v1" | "secp384r1";
const OID = {
  ecdsaSha256: "1.2.840.10045.4.3.2",
  ecdsaSha384: "1.2.840.10045.4.3.3",
  cn: "2.5.4.3",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
};

const seq = (items: forge.asn1.Asn1[]) => asn1.create(C.UNIVERSAL, T.SEQUENCE, true, items);
const oid = (o: string) => asn1.create(C.UNIVERSAL, T.OID, false, asn1.oidToDer(o).getBytes());
const name = (cn: string) =>
  seq([asn1.create(C.UNIVERSAL, T.SET, true, [seq([oid(OID.cn), asn1.create(C.UNIVERSAL, T.UTF8, false, forge.util.encodeUtf8(cn))])])]);
const utcTime = (d: Date) => asn1.create(C.UNIVERSAL, T.UTCTIME, false, asn1.dateToUtcTime(d));
const bytes = (b: Buffer) => b.toString("binary");
const ext = (o: string, critical: boolean, value: forge.asn1.Asn1) =>
  seq([
    oid(o),
    ...(critical ? [asn1.create(C.UNIVERSAL, T.BOOLEAN, false, "\xff")] : []),
    asn1.create(C.UNIVERSAL, T.OCTETSTRING, false, asn1.toDer(value).getBytes()),
  ]);

function build(opts: {
  subject: string;
  issuer: string;
  publicKeyDer: Buffer;
  signer: KeyObject;
  hash: "sha256" | "sha384";
  isCa: boolean;
  dnsNames: string[];
  notBefore: Date;
  notAfter: Date;
}): string {
  const sigAlg = seq([oid(opts.hash === "sha256" ? OID.ecdsaSha256 : OID.ecdsaSha384)]);
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f;
  const extensions = [
    ext(OID.basicConstraints, true, seq(opts.isCa ? [asn1.create(C.UNIVERSAL, T.BOOLEAN, false, "\xff")] : [])),
    // keyUsage: CA → keyCertSign (bit 5); leaf → digitalSignature (bit 0).
    ext(OID.keyUsage, true, asn1.create(C.UNIVERSAL, T.BITSTRING, false, opts.isCa ? "\x02\x04" : "\x07\x80")),
  ];
  if (opts.dnsNames.length > 0)
    extensions.push(ext(OID.subjectAltName, false, seq(opts.dnsNames.map((n) => asn1.create(C.CONTEXT_SPECIFIC, 2, false, n)))));
  const tbs = seq([
    asn1.create(C.CONTEXT_SPECIFIC, 0, true, [asn1.create(C.UNIVERSAL, T.INTEGER, false, "\x02")]),
    asn1.create(C.UNIVERSAL, T.INTEGER, false, bytes(serial)),
    sigAlg,
    name(opts.issuer),
    seq([utcTime(opts.notBefore), utcTime(opts.notAfter)]),
    name(opts.subject),
    asn1.fromDer(bytes(opts.publicKeyDer)),
    asn1.create(C.CONTEXT_SPECIFIC, 3, true, [seq(extensions)]),
  ]);
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), "binary");
  const signature = sign(opts.hash, tbsDer, opts.signer); // DER ECDSA-Sig-Value
  const cert = seq([tbs, sigAlg, asn1.create(C.UNIVERSAL, T.BITSTRING, false, "\x00" + bytes(signature))]);
  const der = Buffer.from(asn1.toDer(cert).getBytes(), "binary");
  return `-----BEGIN CERTIFICATE-----\n${der.toString("base64").replace(/.{64}/g, "$&\n")}\n-----END CERTIFICATE-----\n`.replace(/\n\n/g, "\n");
}

function keyPair(curve: Curve) {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: curve });
  return {
    privateKey,
    pem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    spki: publicKey.export({ type: "spki", format: "der" }),
  };
}

const HOUR = 3600_000;

export function createEcCa(cn = "mfp-mail ECDSA test CA", curve: Curve = "secp384r1"): EcCa {
  const k = keyPair(curve);
  const now = Date.now();
  const cert = build({
    subject: cn, issuer: cn, publicKeyDer: k.spki, signer: k.privateKey, hash: "sha384", isCa: true, dnsNames: [],
    notBefore: new Date(now - HOUR), notAfter: new Date(now + 7 * 24 * HOUR),
  });
  return { cert, key: k.pem, keyObject: k.privateKey, name: cn };
}

export function issueEcServerCert(ca: EcCa, names = ["localhost"], curve: Curve = "prime256v1"): EcCertPair {
  const k = keyPair(curve);
  const now = Date.now();
  const cert = build({
    subject: names[0]!, issuer: ca.name, publicKeyDer: k.spki, signer: createPrivateKey(ca.key), hash: "sha256", isCa: false,
    dnsNames: names, notBefore: new Date(now - HOUR), notAfter: new Date(now + 7 * 24 * HOUR),
  });
  return { cert, key: k.pem };
}
