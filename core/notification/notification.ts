/**
 * The notification the Function sends to a cluster agent (docs/adr/0001-notification-protocol.md).
 * It carries no secret value: it is a hint that puts a vault object on the agent's work queue.
 */
export interface Notification {
  readonly vault: string;
  readonly objectType: 'Secret' | 'Certificate' | 'Key';
  readonly objectName: string;
  readonly version: string;
  readonly eventType: string;
  readonly eventId: string;
  readonly eventTime: string;
}

/** HTTP header names of the push mode. */
export const NOTIFICATION_HEADERS = {
  keyId: 'akvsync-key-id',
  timestamp: 'akvsync-timestamp',
  signature: 'akvsync-signature',
} as const;

export const NOTIFICATION_PATH = '/v1/notifications';
/** Push notifications whose timestamp is further than this from the receiver's clock are refused. */
export const PUSH_TIMESTAMP_WINDOW_SECONDS = 300;
/** Largest notification body accepted, in bytes. */
export const MAX_NOTIFICATION_BYTES = 4096;

/** A signed notification as it travels: the exact body bytes plus the signing metadata. */
export interface SignedNotification {
  readonly keyId: string;
  /** Unix seconds at signing. */
  readonly timestamp: number;
  /** `v1=<base64url HMAC-SHA256>` */
  readonly signature: string;
  /** The exact JSON body that was signed (UTF-8). */
  readonly body: string;
}
