/**
 * env-exec trusts its own CA roots — the Mozilla set compiled into its Node runtime, since the image it runs in may
 * have none (scratch, distroless/static) — plus the extra CA certificates of its configuration (the agent's CA; a
 * private vault endpoint's; the local Key Vault emulator's in tests). The image's own roots are not read.
 */
import tls from 'node:tls';
import { pemBlocks } from '../core/injection/pem-blocks.js';

export function trustRoots(extraCaPem: string | undefined): void {
  const extra = pemBlocks(extraCaPem ?? '').filter((b) => b.label === 'CERTIFICATE').map((b) => b.text);
  tls.setDefaultCACertificates([...tls.getCACertificates('bundled'), ...extra]);
}
