/**
 * Throwaway TLS material for end-to-end tests: a test CA and a server certificate for
 * `localhost`, `127.0.0.1` and `::1`, made with the `openssl` CLI.
 *
 * Serve the gateway with `{ cert: certPem, key: keyPem }` and start the Fedify peer with
 * `NODE_EXTRA_CA_CERTS=caCertPath` (see `startFedifyPeer({ extraCaCerts })`) so it trusts it.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface TestCa {
  /** PEM file of the CA certificate: pass it as NODE_EXTRA_CA_CERTS (or `ca` to https.request). */
  caCertPath: string;
  /** Server certificate (PEM), signed by the CA, SANs: DNS:localhost, IP:127.0.0.1, IP:::1. */
  certPem: string;
  /** Server private key (PEM, unencrypted PKCS#8). */
  keyPem: string;
  /** The CA certificate itself (PEM). */
  caCertPem: string;
  /** Paths of the server certificate and key files. */
  certPath: string;
  keyPath: string;
  /** Directory holding all files. */
  dir: string;
  /** Removes `dir` (only when makeTestCa created it). */
  cleanup(): Promise<void>;
}

let opensslChecked: Promise<string> | undefined;

/** Resolves to the `openssl version` string, or rejects with a clear message. */
export function checkOpenssl(): Promise<string> {
  opensslChecked ??= execFileAsync('openssl', ['version']).then(
    ({ stdout }) => stdout.trim(),
    (error: NodeJS.ErrnoException) => {
      opensslChecked = undefined;
      throw new Error(
        `makeTestCa needs the openssl CLI on PATH (${error.code === 'ENOENT' ? 'not found' : error.message})`,
      );
    },
  );
  return opensslChecked;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await execFileAsync('openssl', args, { cwd });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/**
 * Creates a CA and a `localhost`/`127.0.0.1` server certificate in `dir` (default: a fresh
 * temporary directory). Certificates are valid for 7 days.
 */
export async function makeTestCa(dir?: string): Promise<TestCa> {
  await checkOpenssl();
  const created = dir == null;
  const workDir = dir ?? (await mkdtemp(join(tmpdir(), 'fedigate-test-ca-')));
  if (!created) await mkdir(workDir, { recursive: true });

  const caKeyPath = join(workDir, 'ca.key');
  const caCertPath = join(workDir, 'ca.crt');
  const keyPath = join(workDir, 'server.key');
  const csrPath = join(workDir, 'server.csr');
  const certPath = join(workDir, 'server.crt');
  const caExtPath = join(workDir, 'ca.ext');
  const serverExtPath = join(workDir, 'server.ext');

  await writeFile(
    caExtPath,
    [
      'basicConstraints = critical, CA:TRUE, pathlen:0',
      'keyUsage = critical, keyCertSign, cRLSign',
      'subjectKeyIdentifier = hash',
      '',
    ].join('\n'),
  );
  await writeFile(
    serverExtPath,
    [
      'basicConstraints = critical, CA:FALSE',
      'keyUsage = critical, digitalSignature, keyEncipherment',
      'extendedKeyUsage = serverAuth',
      'subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1',
      'subjectKeyIdentifier = hash',
      'authorityKeyIdentifier = keyid, issuer',
      '',
    ].join('\n'),
  );

  // CA: self-signed via a CSR so that the extension file applies on every OpenSSL 1.1/3.x.
  await openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', caKeyPath], workDir);
  const caCsrPath = join(workDir, 'ca.csr');
  await openssl(['req', '-new', '-key', caKeyPath, '-subj', '/CN=fedigate e2e test CA', '-out', caCsrPath], workDir);
  await openssl(
    [
      'x509', '-req', '-in', caCsrPath, '-signkey', caKeyPath, '-sha256', '-days', '7',
      '-extfile', caExtPath, '-out', caCertPath,
    ],
    workDir,
  );

  // Server certificate signed by the CA.
  await openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', keyPath], workDir);
  await openssl(['req', '-new', '-key', keyPath, '-subj', '/CN=localhost', '-out', csrPath], workDir);
  await openssl(
    [
      'x509', '-req', '-in', csrPath, '-CA', caCertPath, '-CAkey', caKeyPath,
      '-set_serial', `0x${Date.now().toString(16)}${Math.floor(Math.random() * 0xffff).toString(16)}`,
      '-sha256', '-days', '7', '-extfile', serverExtPath, '-out', certPath,
    ],
    workDir,
  );

  const [caCertPem, certPem, keyPem] = await Promise.all([
    readFile(caCertPath, 'utf8'),
    readFile(certPath, 'utf8'),
    readFile(keyPath, 'utf8'),
  ]);

  return {
    caCertPath,
    certPem,
    keyPem,
    caCertPem,
    certPath,
    keyPath,
    dir: workDir,
    async cleanup() {
      if (created) await rm(workDir, { recursive: true, force: true });
    },
  };
}
