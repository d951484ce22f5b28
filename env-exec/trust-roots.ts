/**
 * env-exec trusts its own CA roots — the Mozilla set compiled into its Node runtime, since the image it runs in may
 * have none (scratch, distroless/static) — plus the agent's CA and an optional extra CA file from its configuration
 * (a private vault endpoint's, or the local Key Vault emulator's in tests). The image's own roots are not read.
 */
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { TerminalError } from '../core/errors.js';
import { pemBlocks } from '../core/injection/pem-blocks.js';

const certificatesIn = (text: string): string[] => pemBlocks(text).filter((b) => b.label === 'CERTIFICATE').map((b) => b.text);

export function trustRoots(extraCaPem: string | undefined, caFile: string | undefined): void {
  const certificates = [...tls.getCACertificates('bundled')];
  if (extraCaPem !== undefined) certificates.push(...certificatesIn(extraCaPem));
  if (caFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(caFile, 'utf8');
    } catch {
      throw new TerminalError('InvalidConfig', `AKVSYNC_ENV_EXEC_CA_FILE ${caFile} cannot be read`);
    }
    certificates.push(...certificatesIn(text));
  }
  tls.setDefaultCACertificates(certificates);
}
