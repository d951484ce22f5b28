/**
 * jest setupFiles (every integration worker): trust the local stack's CA in this process, for fetch/undici
 * and node:https alike, so tests talk to the apiserver, the Key Vault emulator and their own HTTPS servers
 * with full certificate verification.
 */
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { jest } from '@jest/globals';

const caFile = process.env.AKVSYNC_TEST_CA_FILE;
if (!caFile) throw new Error('AKVSYNC_TEST_CA_FILE is not set: run integration tests through jest (npm run test:integration), whose globalSetup starts the local stack');
const caPem = readFileSync(caFile, 'utf8');
const trusted = tls.getCACertificates('default');
if (!trusted.some((pem) => pem.trim() === caPem.trim())) tls.setDefaultCACertificates([...trusted, caPem]);

// Integration tests and their hooks wait on a real control plane: 120 s for this project only (jest reads
// `testTimeout` from the top-level config alone, which would also loosen the unit tests' 5 s default).
jest.setTimeout(120_000);
