/** env-exec's digest pins: one `<arch>=<sha256>` per architecture, written by the webhook, read by the install step. */
import { envExecArchOf, formatDigestPins, parseDigestPins } from '../../../../core/injection/env-exec-manifest.js';
import { terminalErrorFrom } from '../sync/terminal-error.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

describe('env-exec digest pins', () => {
  it('round-trip in a stable order', () => {
    expect(formatDigestPins({ arm64: B, amd64: A })).toEqual([`amd64=${A}`, `arm64=${B}`]);
    expect(parseDigestPins([`arm64=${B}`, `amd64=${A}`])).toEqual({ amd64: A, arm64: B });
  });

  it.each([
    [[], 'no env-exec digest is pinned'],
    [[A], 'must be <arch>=<sha256>'],
    [[`s390x=${A}`], 'must be <arch>=<sha256>'],
    [['amd64=abc'], 'for amd64 must be 64 lower-case hex'],
    [[`amd64=${A.toUpperCase()}`], 'for amd64 must be 64 lower-case hex'],
    [[`amd64=${A}`, `amd64=${B}`], 'pinned twice'],
  ])('refuse %p', (pins, message) => {
    expect(terminalErrorFrom(() => parseDigestPins(pins)).message).toContain(message);
  });

  it("name Node's architectures as Kubernetes does", () => {
    expect([envExecArchOf('x64'), envExecArchOf('arm64'), envExecArchOf('ia32')]).toEqual(['amd64', 'arm64', undefined]);
  });
});
