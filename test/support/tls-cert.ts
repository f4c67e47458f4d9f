// A self-signed certificate for 127.0.0.1 and localhost, made by Debian's openssl for a test.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';

/** A certificate and key written to files. */
export interface TestCert {
  certFile: string;
  keyFile: string;
  /** The certificate (PEM), to trust as a CA in the client. */
  cert: string;
  /** SHA-256 fingerprint, to tell two certificates apart. */
  fingerprint: string;
}

/** Makes a self-signed EC certificate (`CN=name`) valid for 127.0.0.1 and localhost, in `dir` (a new temp dir by default). */
export function makeSelfSignedCert(name = 'switchboard-test', dir = mkdtempSync(join(tmpdir(), 'sb-tls-'))): TestCert {
  const keyFile = join(dir, `${name}.key.pem`);
  const certFile = join(dir, `${name}.cert.pem`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  const cert = readFileSync(certFile, 'utf8');
  return { certFile, keyFile, cert, fingerprint: new X509Certificate(cert).fingerprint256 };
}
