/**
 * `npm run image:build [-- --out dist/image --tag 0.1.0 --arch amd64,arm64]`
 * Builds the agent image as an OCI image layout (multi-arch index) without a container daemon, and prints what
 * it built (digests, sizes) as JSON. Push it with skopeo: `skopeo copy --all oci:dist/image:<tag> docker://…`.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { packImage } from './pack-image.js';

const { values } = parseArgs({
  options: { out: { type: 'string', default: 'dist/image' }, tag: { type: 'string', default: 'latest' }, arch: { type: 'string' } },
  strict: true,
});
try {
  const packed = await packImage({ layout: resolve(values.out), tag: values.tag, ...(values.arch ? { architectures: values.arch.split(',') } : {}) });
  console.log(JSON.stringify(packed, null, 2));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
