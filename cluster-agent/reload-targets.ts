import { createSecureContext } from 'node:tls';
import type { Server } from 'node:https';
import { TerminalError } from '../core/errors.js';
import { parseKeyring } from '../core/notification/keyring.js';
import type { ReloadTarget } from './adapters/file-reloader.js';
import type { NotificationIntake } from './intake/notification-intake.js';

/** A server's certificate and key (the notify port's, the webhook's): validated as a pair, then swapped into the running server. */
export function tlsReloadTarget(
  server: Server, certFile: string, keyFile: string, onApplied: (certPem: string) => void = () => undefined,
  setting = 'AKVSYNC_TLS_CERT_FILE/AKVSYNC_TLS_KEY_FILE',
): ReloadTarget {
  return {
    setting,
    paths: [certFile, keyFile],
    apply([cert = '', key = '']) {
      applyTlsPair(server, cert, key);
      onApplied(cert);
    },
  };
}

/** Validates a PEM certificate and key as a pair, then serves them on new connections (throws a value-free error otherwise). */
export function applyTlsPair(server: Server, cert: string, key: string): void {
  if (!cert.includes('BEGIN CERTIFICATE') || !/BEGIN [A-Z ]*PRIVATE KEY/.test(key)) {
    throw new TerminalError('InvalidTlsFiles', 'the TLS files are not a PEM certificate and private key');
  }
  try {
    createSecureContext({ cert, key });
  } catch {
    // OpenSSL's message is not passed on: the key file is secret.
    throw new TerminalError('InvalidTlsFiles', 'the TLS certificate and key do not load as a pair');
  }
  server.setSecureContext({ cert, key });
}

/** The signing keyring: parsed (errors name key ids only), then used for every notification after. */
export function keyringReloadTarget(intake: NotificationIntake, file: string): ReloadTarget {
  return {
    setting: 'AKVSYNC_SIGNING_KEYS_FILE',
    paths: [file],
    apply([json = '']) {
      intake.setKeyring(parseKeyring(json));
    },
  };
}
