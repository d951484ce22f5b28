/**
 * cluster-agent/Dockerfile cannot be built here (no Docker daemon), so this checks what keeps it equal to the
 * daemonless image: its final stage is FROM scratch holding only the rootfs that scripts/image/build-rootfs.sh
 * made, and its USER, ENV, WORKDIR, EXPOSE, LABEL and ENTRYPOINT are those of scripts/image/image-config.json,
 * which scripts/image/pack-image.ts writes into the OCI image.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ImageConfig } from '../../../scripts/image/pack-image.js';

const read = (path: string): string => readFileSync(fileURLToPath(new URL(`../../../${path}`, import.meta.url)), 'utf8');
const config = JSON.parse(read('scripts/image/image-config.json')) as ImageConfig;

/** Instructions of the Dockerfile (continuation lines joined, comments dropped), split by stage. */
function stages(text: string): { from: string; instructions: [string, string][] }[] {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const result: { from: string; instructions: [string, string][] }[] = [];
  for (const line of lines) {
    const [, keyword = '', rest = ''] = /^(\w+)\s+(.*)$/.exec(line) ?? [];
    if (keyword.toUpperCase() === 'FROM') result.push({ from: rest, instructions: [] });
    else result[result.length - 1]?.instructions.push([keyword.toUpperCase(), rest]);
  }
  return result;
}

describe('cluster-agent/Dockerfile', () => {
  const [build, final] = stages(read('cluster-agent/Dockerfile'));

  it('builds the rootfs with scripts/image/build-rootfs.sh for the target architecture', () => {
    expect(build?.from).toMatch(/ AS rootfs$/);
    const runs = build?.instructions.filter(([k]) => k === 'RUN').map(([, v]) => v).join('\n') ?? '';
    expect(runs).toContain('scripts/image/bundle-agent.ts /tmp/agent/agent.mjs');
    expect(runs).toContain('bash scripts/image/build-rootfs.sh --arch "$TARGETARCH" --agent /tmp/agent/agent.mjs --out /rootfs');
  });

  it('ships that rootfs and nothing else, with the image config of image-config.json', () => {
    expect(final?.from).toBe('scratch');
    const get = (keyword: string): string[] => final?.instructions.filter(([k]) => k === keyword).map(([, v]) => v) ?? [];
    expect(get('COPY')).toEqual(['--from=rootfs /rootfs/ /']);
    expect(get('RUN')).toEqual([]);
    expect(get('USER')).toEqual([config.user]);
    expect(get('ENV').flatMap((v) => v.split(/\s+/))).toEqual(config.env);
    expect(get('WORKDIR')).toEqual([config.workingDir]);
    expect(get('EXPOSE').flatMap((v) => v.split(/\s+/))).toEqual(config.exposedPorts);
    expect(get('LABEL').flatMap((v) => v.split(/\s+/))).toEqual(Object.entries(config.labels).map(([name, value]) => `${name}=${value}`));
    expect(get('ENTRYPOINT').map((v) => JSON.parse(v) as unknown)).toEqual([config.entrypoint]);
  });

  it('builds from the Node major the image ships', () => {
    expect(build?.from).toContain(`node:${config.nodeVersion.split('.')[0]}-`);
  });
});
