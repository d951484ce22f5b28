/**
 * Zips a folder's contents (paths relative to it, no folder entries' timestamps from the build machine) with
 * Info-ZIP `zip`, which Debian's base system ships on these machines. The zip is replaced, never appended to.
 */
import { execFile } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function zipFolder(folder: string, zipPath: string): Promise<void> {
  await mkdir(dirname(zipPath), { recursive: true });
  await rm(zipPath, { force: true });
  // -r recurse, -X no extra file attributes (uid/gid, extended timestamps), -D no directory entries, -q quiet.
  await run('zip', ['-r', '-X', '-D', '-q', zipPath, '.'], { cwd: folder }).catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? 'zip: not found on PATH (Debian package "zip")' : `zip failed: ${(error as Error).message}`, { cause: error });
  });
}
