/**
 * A tiny detached process that outlives its owner on purpose: it holds a pipe from the owner and is told
 * which process groups and temp dirs the owner has ("+g pid", "-g pid", "+d dir", "-d dir"). When the pipe
 * closes with anything still listed — the owner was SIGKILLed or crashed without running its exit handlers —
 * it sends SIGTERM, then SIGKILL, removes the dirs and the owner's run file, and exits.
 */
import { spawn } from 'node:child_process';

/** Plain CommonJS for `node -e`, so it starts fast and needs no loader. argv[1] is the owner's run file. */
const WATCHDOG_SOURCE = `
const { rmSync } = require('node:fs');
const groups = new Set(); const dirs = new Set(); let buffer = '';
for (const s of ['SIGINT', 'SIGHUP', 'SIGTERM']) process.on(s, () => {});
const signal = (s) => { for (const g of groups) { try { process.kill(-g, s); } catch {} } };
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffer += chunk;
  for (let i = buffer.indexOf('\\n'); i >= 0; i = buffer.indexOf('\\n')) {
    const line = buffer.slice(0, i); buffer = buffer.slice(i + 1);
    const op = line.slice(0, 2); const arg = line.slice(3);
    if (op === '+g') groups.add(Number(arg)); else if (op === '-g') groups.delete(Number(arg));
    else if (op === '+d') dirs.add(arg); else if (op === '-d') dirs.delete(arg);
  }
});
process.stdin.on('close', () => {
  if (groups.size === 0 && dirs.size === 0) process.exit(0);
  signal('SIGTERM');
  setTimeout(() => {
    signal('SIGKILL');
    setTimeout(() => {
      for (const d of dirs) { try { rmSync(d, { recursive: true, force: true, maxRetries: 5 }); } catch {} }
      rmSync(process.argv[1], { force: true });
      process.exit(0);
    }, 300);
  }, 1500);
});
`;

export interface OrphanWatchdog {
  /** One protocol line, e.g. "+g 1234". Lost silently if the watchdog is gone (the exit handlers still run). */
  tell(line: string): void;
}

export function startOrphanWatchdog(runFile: string): OrphanWatchdog {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, ['-e', WATCHDOG_SOURCE, runFile], { detached: true, stdio: ['pipe', 'ignore', 'ignore'], env });
  child.on('error', (error) => process.stderr.write(`local-stack: watchdog failed: ${error.message}\n`));
  child.stdin?.on('error', () => undefined); // the watchdog died: the exit handlers and run file remain
  // neither the watchdog nor its pipe may keep this process alive
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return {
    tell: (line) => {
      if (child.stdin?.writable) child.stdin.write(`${line}\n`);
    },
  };
}
