import { createLogger } from '../../../cluster-agent/logger.js';

describe('agent logger', () => {
  it('redacts value-like fields wherever they sit', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (l: string) => void lines.push(l) });
    const VALUE = 'p4ssw0rd-value';
    logger.info({ value: VALUE, secret: { value: VALUE }, output: { data: { password: VALUE }, stringData: { p: VALUE } } }, 'one');
    logger.info({ req: { headers: { authorization: `Bearer ${VALUE}`, 'akvsync-signature': VALUE } }, keyring: { k: VALUE } }, 'two');
    logger.info({ dataHashKey: { source: 'file', key: VALUE }, config: { dataHashKey: { source: 'file', key: VALUE } }, secret: { key: VALUE } }, 'three');
    expect(lines).toHaveLength(3);
    expect(lines.join('\n')).not.toContain(VALUE);
    expect(lines.join('\n')).toContain('[redacted]');
  });
});
