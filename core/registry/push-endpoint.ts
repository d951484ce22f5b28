import { NOTIFICATION_PATH } from '../notification/notification.js';

/** Why a host is refused as a push target (link-local, metadata, …), or undefined; the runtime supplies it (it needs node:net). */
export type ForbiddenHost = (host: string) => string | undefined;

/**
 * Why `raw` cannot be a cluster's push endpoint, or undefined when it can: `https` only, ending in the notify path,
 * no credentials or fragment, and no host the runtime forbids — whoever configured or registered it, so a leaked
 * cluster key cannot aim the Function's requests at its own metadata service.
 */
export function pushEndpointProblem(raw: string, forbiddenHost: ForbiddenHost): string | undefined {
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (!url || url.protocol !== 'https:' || url.username || url.password || url.hash || !url.pathname.endsWith(NOTIFICATION_PATH)) {
    return `must be an https:// URL ending in ${NOTIFICATION_PATH}, without credentials or fragment`;
  }
  const forbidden = forbiddenHost(url.hostname);
  return forbidden === undefined ? undefined : `${forbidden}; notifications are never sent there`;
}
