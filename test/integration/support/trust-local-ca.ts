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

// jest-circus reads `testTimeout` only from the top-level config, so the integration project's
// `testTimeout: 120000` in jest.config.mjs is ignored; apply it here (hooks included) until the config moves it.
jest.setTimeout(120_000);
