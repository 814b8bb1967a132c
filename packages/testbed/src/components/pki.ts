import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ComponentStartError } from '../errors.js';

const run = promisify(execFile);

/** Paths of a key pair signed by the test bed's CA. */
export interface CertPair {
  readonly certFile: string;
  readonly keyFile: string;
}

async function openssl(component: string, args: readonly string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new ComponentStartError(component, `openssl ${args[0] ?? ''} failed`, stderr);
  }
}

/** A throwaway CA (a day long, EC P-256: generating it takes milliseconds). */
export async function createCa(dir: string): Promise<CertPair> {
  const pair = { certFile: join(dir, 'ca.crt'), keyFile: join(dir, 'ca.key') };
  await openssl('pki', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', pair.keyFile, '-out', pair.certFile, '-days', '2', '-subj', '/CN=nova-testbed-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return pair;
}

export interface CertRequest {
  /** File name stem inside `outDir`. */
  readonly name: string;
  /** Kubernetes reads the CN as the user name... */
  readonly commonName: string;
  /** ...and each O as a group. */
  readonly organizations?: readonly string[];
  readonly usage: 'serverAuth' | 'clientAuth';
  /** subjectAltName entries such as `IP:127.0.0.1`, for serving certificates. */
  readonly altNames?: readonly string[];
}

/** Issues a certificate signed by the CA in `pkiDir` (ca.crt / ca.key). */
export async function issueCert(pkiDir: string, outDir: string, request: CertRequest): Promise<CertPair> {
  const pair = { certFile: join(outDir, `${request.name}.crt`), keyFile: join(outDir, `${request.name}.key`) };
  const csr = join(outDir, `${request.name}.csr`);
  const extFile = join(outDir, `${request.name}.ext`);
  const subject = [...(request.organizations ?? []).map((o) => `/O=${o}`), `/CN=${request.commonName}`].join('');
  const extensions = [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage=${request.usage}`,
    ...(request.altNames && request.altNames.length > 0 ? [`subjectAltName=${request.altNames.join(',')}`] : []),
  ];
  writeFileSync(extFile, `${extensions.join('\n')}\n`);
  await openssl('pki', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', pair.keyFile, '-out', csr, '-subj', subject]);
  await openssl('pki', ['x509', '-req', '-in', csr, '-CA', join(pkiDir, 'ca.crt'), '-CAkey', join(pkiDir, 'ca.key'),
    '-CAcreateserial', '-CAserial', join(outDir, `${request.name}.srl`), '-days', '2', '-extfile', extFile, '-out', pair.certFile]);
  return pair;
}

/** An RSA key pair for signing service-account tokens (private key + public key files). */
export async function createSigningKey(dir: string): Promise<{ privateKeyFile: string; publicKeyFile: string }> {
  const privateKeyFile = join(dir, 'sa.key');
  const publicKeyFile = join(dir, 'sa.pub');
  await openssl('pki', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', privateKeyFile]);
  await openssl('pki', ['pkey', '-in', privateKeyFile, '-pubout', '-out', publicKeyFile]);
  return { privateKeyFile, publicKeyFile };
}

export function base64File(path: string): string {
  return readFileSync(path).toString('base64');
}
