// The sandbox's PKI, made fresh at every start as kubeadm makes a cluster's: a self-signed CA
// ("kubernetes", as kubeadm names it), a serving certificate for the loopback names, and client
// certificates whose subject is the user (CN = user name, O = groups: the convention the
// kube-apiserver's x509 authenticator reads). Keys come from node:crypto (native RSA key
// generation); node-forge builds and signs the X.509 structures, which node:crypto cannot.
// Sources: kubernetes.io/docs/reference/access-authn-authz/authentication/#x509-client-certificates,
// kubernetes.io/docs/setup/best-practices/certificates/ (CA CN "kubernetes-ca"/"kubernetes").
import { generateKeyPairSync, randomBytes, X509Certificate } from "node:crypto";
import forge from "node-forge";

export interface PemPair {
  certPem: string;
  keyPem: string;
}

export interface SandboxPki {
  ca: PemPair;
  server: PemPair;
  /** Issues a client certificate signed by the CA: CN is the user, each group an O. */
  issueClient(user: string, groups?: string[]): PemPair;
}

const DAY_MS = 86_400_000;

function newKey(): { forgeKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; keyPem: string } {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(keyPem);
  const publicKey = forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e);
  return { forgeKey, publicKey, keyPem };
}

function serial(): string {
  // Positive (high bit clear) 16-byte serial, as RFC 5280 §4.1.2.2 requires.
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  return bytes.toString("hex");
}

function baseCert(publicKey: forge.pki.rsa.PublicKey, days: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serial();
  // A minute of slack for clocks that differ slightly between the client and the sandbox.
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + days * DAY_MS);
  return cert;
}

/** A CA, a server certificate for 127.0.0.1, ::1 and localhost (plus `extraHosts`), and a client-cert issuer. */
export function createSandboxPki(extraHosts: string[] = []): SandboxPki {
  const caKey = newKey();
  const ca = baseCert(caKey.publicKey, 3650);
  const caName = [{ name: "commonName", value: "kubernetes" }];
  ca.setSubject(caName);
  ca.setIssuer(caName);
  ca.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  ca.sign(caKey.forgeKey, forge.md.sha256.create());
  const caPem = forge.pki.certificateToPem(ca);

  const issue = (subject: forge.pki.CertificateField[], extensions: object[], days: number): PemPair => {
    const key = newKey();
    const cert = baseCert(key.publicKey, days);
    cert.setSubject(subject);
    cert.setIssuer(ca.subject.attributes);
    cert.setExtensions([
      { name: "basicConstraints", cA: false, critical: true },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "authorityKeyIdentifier", keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
      ...extensions,
    ]);
    cert.sign(caKey.forgeKey, forge.md.sha256.create());
    return { certPem: forge.pki.certificateToPem(cert), keyPem: key.keyPem };
  };

  const names = new Set(["localhost", "127.0.0.1", "::1", ...extraHosts.filter((h) => h && h !== "0.0.0.0")]);
  const altNames = [...names].map((h) =>
    isIp(h) ? { type: 7, ip: h.replace(/^\[|\]$/g, "") } : { type: 2, value: h },
  );
  const server = issue(
    [{ name: "commonName", value: "kube-apiserver" }],
    [
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames },
    ],
    365,
  );
  return {
    ca: { certPem: caPem, keyPem: caKey.keyPem },
    server,
    issueClient(user, groups = []) {
      if (!user) throw new Error("issueClient: a user name is needed (it becomes the certificate's CN)");
      return issue(
        [{ name: "commonName", value: user }, ...groups.map((g) => ({ name: "organizationName", value: g }))],
        [{ name: "extKeyUsage", clientAuth: true }],
        365,
      );
    },
  };
}

function isIp(host: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.includes(":");
}

/** The user and groups a verified client certificate names (CN, then each O), as the x509 authenticator reads them. */
export function identityFromCertificate(der: Buffer): { user: string; groups: string[] } | undefined {
  const cert = new X509Certificate(der);
  let user = "";
  const groups: string[] = [];
  for (const line of cert.subject.split("\n")) {
    const eq = line.indexOf("=");
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (key === "CN") user = value;
    if (key === "O") groups.push(value);
  }
  return user ? { user, groups } : undefined;
}
