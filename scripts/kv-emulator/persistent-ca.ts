/**
 * The CA the command-line emulator reuses across runs (so a client can trust it once): `ca.pem` and `ca-key.pem`
 * in a directory, replaced when missing, unreadable or expiring within a day. The key file is mode 0600.
 */
import { X509Certificate, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type TestCa, createTestCa } from '../local-stack/tls.js';

export interface PersistentCa {
  readonly ca: TestCa;
  readonly certPath: string;
  readonly created: boolean;
}

const DAY_MS = 86_400_000;

export function loadOrCreateCa(dir: string, nowMs: number): PersistentCa {
  const certPath = path.join(dir, 'ca.pem');
  const keyPath = path.join(dir, 'ca-key.pem');
  const existing = readUsable(certPath, keyPath, nowMs);
  if (existing) return { ca: existing, certPath, created: false };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // A unique subject: OpenSSL finds issuers by name, and a client may trust several local CAs.
  const ca = createTestCa(`akvsync kv-emulator CA ${randomUUID()}`, 90);
  writeFileSync(keyPath, ca.keyPem, { mode: 0o600 });
  writeFileSync(certPath, ca.certPem, { mode: 0o644 });
  return { ca, certPath, created: true };
}

function readUsable(certPath: string, keyPath: string, nowMs: number): TestCa | undefined {
  if (!existsSync(certPath) || !existsSync(keyPath)) return undefined;
  const certPem = readFileSync(certPath, 'utf8');
  const keyPem = readFileSync(keyPath, 'utf8');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    return undefined; // unreadable: replaced by a new CA
  }
  return cert.validToDate.getTime() - nowMs > DAY_MS && cert.ca ? { certPem, keyPem } : undefined;
}
