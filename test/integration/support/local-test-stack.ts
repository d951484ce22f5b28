/**
 * The one local stack of a jest integration run, started by globalSetup and stopped by globalTeardown (both
 * in jest's parent process; globalSetup loads this module through tsx). This repository's CRDs are installed
 * before the controller-manager starts, so garbage collection of CR-owned objects works at once. Workers
 * learn where the stack is from the environment they inherit: AKVSYNC_TEST_STACK (its JSON description),
 * AKVSYNC_TEST_CA_FILE (the CA PEM) and KUBECONFIG (so nothing in a test reaches a real cluster by default).
 *
 * To reuse a stack that is already running (`npm run stack`), set AKVSYNC_TEST_STACK=<its dataDir>/stack.json.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeLocalStack, PROJECT_CRD_PATHS, startLocalStack, type LocalStack } from '../../../scripts/local-stack/stack.js';
import { readStackDescription } from './stack-description.js';

/** globalTeardown calls the function stored under this key (it cannot import our ESM sources; see global-setup.ts). */
const STOP_TEST_STACK = Symbol.for('akvsync.integration.stop-test-stack');
const holder = globalThis as { [STOP_TEST_STACK]?: () => Promise<void> };

export async function startTestStack(): Promise<void> {
  const preset = process.env.AKVSYNC_TEST_STACK;
  if (preset && !holder[STOP_TEST_STACK]) {
    const description = readStackDescription(preset);
    process.env.AKVSYNC_TEST_CA_FILE = description.caFile;
    process.env.KUBECONFIG = description.kubernetes.kubeconfig;
    process.stderr.write(`\nintegration tests: reusing the local stack described in ${preset}\n`);
    return;
  }
  const began = performance.now();
  const stack = await startLocalStack({ crdPaths: PROJECT_CRD_PATHS });
  holder[STOP_TEST_STACK] = () => stopTestStack(stack);
  const description = describeLocalStack(stack);
  const file = join(stack.dataDir, 'stack.json');
  writeFileSync(file, JSON.stringify(description, null, 2));
  process.env.AKVSYNC_TEST_STACK = file;
  process.env.AKVSYNC_TEST_CA_FILE = description.caFile;
  process.env.KUBECONFIG = description.kubernetes.kubeconfig;
  process.stderr.write(`\nintegration tests: local stack up in ${Math.round(performance.now() - began)} ms (logs in ${stack.dataDir})\n`);
}

async function stopTestStack(stack: LocalStack): Promise<void> {
  await stack.stop();
  delete holder[STOP_TEST_STACK];
  delete process.env.AKVSYNC_TEST_STACK;
  delete process.env.AKVSYNC_TEST_CA_FILE;
  delete process.env.KUBECONFIG;
}
