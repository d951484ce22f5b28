/**
 * The write-or-check step of every generator in this folder: without `--check`, writes each file; with it, writes
 * nothing and sets exit code 1 when a committed file differs from what the generator makes (tests and CI run that).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface GeneratedFile {
  readonly target: URL;
  /** How messages name the file (repository-relative). */
  readonly label: string;
  readonly content: string;
}

export function writeGeneratedFiles(files: Iterable<GeneratedFile>, generator: string, argv: readonly string[] = process.argv): void {
  const check = argv.includes('--check');
  for (const { target, label, content } of files) {
    if (check) {
      let current = '';
      try {
        current = readFileSync(target, 'utf8');
      } catch {
        // missing: stale
      }
      if (current !== content) {
        console.error(`${label} is stale: run ${generator}`);
        process.exitCode = 1;
      }
    } else {
      mkdirSync(dirname(fileURLToPath(target)), { recursive: true });
      writeFileSync(target, content);
      console.log(`wrote ${label}`);
    }
  }
}
