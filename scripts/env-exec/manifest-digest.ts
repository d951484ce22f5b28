/** Prints the manifest digest of an env-exec directory (core/injection/env-exec-manifest.ts): `tsx manifest-digest.ts <dir>`. */
import { manifestOf } from '../../env-exec/install-env-exec.js';
import { manifestDigest } from '../../core/injection/env-exec-manifest.js';

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: manifest-digest.ts <env-exec dir>');
process.stdout.write(`${manifestDigest(manifestOf(dir))}\n`);
