import { planRestarts, type RestartCandidate } from '../../../../core/restart/plan-restarts.js';
import { restartAnnotationKey } from '../../../../core/restart/restart-annotation.js';
import { aChange, aWorkload, HASH, mountingConfigMap, usingSecret } from './workload-builder.js';

const honour = { honourReloaderAnnotations: true };
const ignore = { honourReloaderAnnotations: false };
const KEY = restartAnnotationKey('Secret', 'db-creds');

describe('planRestarts: akvsync.io/reload', () => {
  it('restarts a workload whose pod template references the changed Secret, writing the hash', () => {
    const plan = planRestarts(aChange(), aWorkload({ annotations: { 'akvsync.io/reload': 'true' }, podSpec: usingSecret('db-creds') }), ignore);
    expect(plan).toEqual({ restart: true, reason: 'referenced-with-reload-annotation', patch: { annotationKey: KEY, annotationValue: HASH } });
  });

  it('accepts the annotation on the pod template too', () => {
    const plan = planRestarts(aChange(), aWorkload({ podAnnotations: { 'akvsync.io/reload': 'true' }, podSpec: usingSecret('db-creds') }), ignore);
    expect(plan.restart).toBe(true);
  });

  it('restarts for a referenced ConfigMap', () => {
    const plan = planRestarts(aChange({ kind: 'ConfigMap', name: 'app-config' }),
      aWorkload({ annotations: { 'akvsync.io/reload': 'True' }, podSpec: mountingConfigMap('app-config') }), ignore);
    expect(plan).toMatchObject({ restart: true, patch: { annotationKey: 'restart.akvsync.io/configmap-app-config' } });
  });

  it('does not restart for a Secret the pod template does not reference', () => {
    const plan = planRestarts(aChange(), aWorkload({ annotations: { 'akvsync.io/reload': 'true' }, podSpec: usingSecret('other') }), ignore);
    expect(plan).toEqual({ restart: false, reason: 'not-referenced' });
  });

  it('does not confuse a ConfigMap with a Secret of the same name', () => {
    const plan = planRestarts(aChange({ kind: 'ConfigMap' }), aWorkload({ annotations: { 'akvsync.io/reload': 'true' }, podSpec: usingSecret('db-creds') }), ignore);
    expect(plan.restart).toBe(false);
  });

  it.each(['false', '', 'yes'])('treats akvsync.io/reload: %p as not opted in', (value) => {
    const plan = planRestarts(aChange(), aWorkload({ annotations: { 'akvsync.io/reload': value }, podSpec: usingSecret('db-creds') }), ignore);
    expect(plan).toEqual({ restart: false, reason: 'not-opted-in' });
  });

  it('lets the workload metadata win over the pod template for the same key', () => {
    const plan = planRestarts(aChange(), aWorkload({
      annotations: { 'akvsync.io/reload': 'false' }, podAnnotations: { 'akvsync.io/reload': 'true' }, podSpec: usingSecret('db-creds'),
    }), ignore);
    expect(plan.restart).toBe(false);
  });
});

describe('planRestarts: akvsync.io/reload-secrets and reload-configmaps', () => {
  it('restarts for a named Secret even when it is not referenced; names are trimmed', () => {
    const plan = planRestarts(aChange(), aWorkload({ annotations: { 'akvsync.io/reload-secrets': 'other , db-creds,' } }), ignore);
    expect(plan).toMatchObject({ restart: true, reason: 'named-in-reload-annotation' });
  });

  it('restarts for a named ConfigMap', () => {
    const plan = planRestarts(aChange({ kind: 'ConfigMap', name: 'cfg' }), aWorkload({ podAnnotations: { 'akvsync.io/reload-configmaps': 'cfg' } }), ignore);
    expect(plan).toMatchObject({ restart: true, reason: 'named-in-reload-annotation' });
  });

  it('keeps the Secret and ConfigMap lists apart', () => {
    expect(planRestarts(aChange(), aWorkload({ annotations: { 'akvsync.io/reload-configmaps': 'db-creds' } }), ignore).restart).toBe(false);
    expect(planRestarts(aChange({ kind: 'ConfigMap' }), aWorkload({ annotations: { 'akvsync.io/reload-secrets': 'db-creds' } }), ignore).restart).toBe(false);
  });

  it('matches exact names only (no prefixes, no patterns)', () => {
    expect(planRestarts(aChange(), aWorkload({ annotations: { 'akvsync.io/reload-secrets': 'db' } }), ignore).restart).toBe(false);
    expect(planRestarts(aChange(), aWorkload({ annotations: { 'akvsync.io/reload-secrets': 'db-.*' } }), ignore).restart).toBe(false);
  });
});

describe("planRestarts: stakater/Reloader's annotations", () => {
  const reloaderCases: [string, Record<string, string>, ReturnType<typeof aChange>, unknown, string][] = [
    ['reloader.stakater.com/auto + referenced Secret', { 'reloader.stakater.com/auto': 'true' }, aChange(), usingSecret('db-creds'), 'referenced-with-reloader-auto'],
    ['secret.reloader.stakater.com/auto + referenced Secret', { 'secret.reloader.stakater.com/auto': 'true' }, aChange(), usingSecret('db-creds'), 'referenced-with-reloader-auto'],
    ['configmap.reloader.stakater.com/auto + referenced ConfigMap', { 'configmap.reloader.stakater.com/auto': 'true' },
      aChange({ kind: 'ConfigMap', name: 'cfg' }), mountingConfigMap('cfg'), 'referenced-with-reloader-auto'],
    ['secret.reloader.stakater.com/reload names the Secret', { 'secret.reloader.stakater.com/reload': 'x, db-creds' }, aChange(), undefined, 'named-in-reloader-annotation'],
    ['configmap.reloader.stakater.com/reload names the ConfigMap', { 'configmap.reloader.stakater.com/reload': 'cfg' },
      aChange({ kind: 'ConfigMap', name: 'cfg' }), undefined, 'named-in-reloader-annotation'],
  ];

  it.each(reloaderCases)('honoured: %s restarts', (_name, annotations, change, podSpec, reason) => {
    expect(planRestarts(change, aWorkload({ annotations, podSpec }), honour)).toMatchObject({ restart: true, reason });
  });

  it.each(reloaderCases)('not honoured: %s does nothing', (_name, annotations, change, podSpec) => {
    expect(planRestarts(change, aWorkload({ annotations, podSpec }), ignore)).toEqual({ restart: false, reason: 'reloader-annotations-not-honoured' });
  });

  it('honours them on the pod template as well', () => {
    const plan = planRestarts(aChange(), aWorkload({ podAnnotations: { 'reloader.stakater.com/auto': 'true' }, podSpec: usingSecret('db-creds') }), honour);
    expect(plan.restart).toBe(true);
  });

  it('typed auto annotations apply to their own kind only', () => {
    const plan = planRestarts(aChange({ kind: 'ConfigMap', name: 'cfg' }),
      aWorkload({ annotations: { 'secret.reloader.stakater.com/auto': 'true' }, podSpec: mountingConfigMap('cfg') }), honour);
    expect(plan.restart).toBe(false);
  });

  it("reloader.stakater.com/auto does not restart for a Secret the workload doesn't use", () => {
    const plan = planRestarts(aChange(), aWorkload({ annotations: { 'reloader.stakater.com/auto': 'true' }, podSpec: usingSecret('other') }), honour);
    expect(plan).toEqual({ restart: false, reason: 'not-referenced' });
  });

  it("Reloader's exclude list wins over Reloader's auto", () => {
    const plan = planRestarts(aChange(), aWorkload({
      annotations: { 'reloader.stakater.com/auto': 'true', 'secrets.exclude.reloader.stakater.com/reload': 'db-creds' }, podSpec: usingSecret('db-creds'),
    }), honour);
    expect(plan).toEqual({ restart: false, reason: 'excluded-by-reloader-annotation' });
  });

  it('our own opt-in still applies when Reloader annotations are not honoured', () => {
    const plan = planRestarts(aChange(), aWorkload({
      annotations: { 'reloader.stakater.com/auto': 'true', 'akvsync.io/reload-secrets': 'db-creds' },
    }), ignore);
    expect(plan).toMatchObject({ restart: true, reason: 'named-in-reload-annotation' });
  });
});

describe('planRestarts: idempotence and scope', () => {
  const optedIn = (podAnnotations?: Record<string, string>): RestartCandidate =>
    aWorkload({ annotations: { 'akvsync.io/reload': 'true' }, podSpec: usingSecret('db-creds'), ...(podAnnotations ? { podAnnotations } : {}) });

  it('does not restart twice for the same hash', () => {
    expect(planRestarts(aChange(), optedIn({ [KEY]: HASH }), ignore)).toEqual({ restart: false, reason: 'already-restarted-for-this-hash' });
  });

  it('restarts again for a new hash', () => {
    const plan = planRestarts(aChange({ dataHash: 'b'.repeat(64) }), optedIn({ [KEY]: HASH }), ignore);
    expect(plan).toMatchObject({ restart: true, patch: { annotationKey: KEY, annotationValue: 'b'.repeat(64) } });
  });

  it('ignores workloads in other namespaces', () => {
    const plan = planRestarts(aChange(), aWorkload({ namespace: 'other', annotations: { 'akvsync.io/reload-secrets': 'db-creds' } }), honour);
    expect(plan).toEqual({ restart: false, reason: 'different-namespace' });
  });

  it('does nothing for a workload that did not opt in, even if it uses the Secret', () => {
    expect(planRestarts(aChange(), aWorkload({ podSpec: usingSecret('db-creds') }), honour)).toEqual({ restart: false, reason: 'not-opted-in' });
  });

  it.each(['Deployment', 'StatefulSet', 'DaemonSet'] as const)('works for %s', (kind) => {
    expect(planRestarts(aChange(), { ...optedIn(), kind }, ignore).restart).toBe(true);
  });

  it('refuses kinds outside the strategy table', () => {
    const cronJob = { ...optedIn(), kind: 'CronJob' } as unknown as RestartCandidate;
    expect(planRestarts(aChange(), cronJob, ignore)).toEqual({ restart: false, reason: 'unsupported-workload-kind' });
  });
});

describe('planRestarts: Reloader\'s search + match pair and its ignore annotation', () => {
  const searching = (extra: Record<string, string> = {}) => aWorkload({ annotations: { 'reloader.stakater.com/search': 'true', ...extra }, podSpec: usingSecret('db-creds') });
  const matched = aChange({ annotations: { 'reloader.stakater.com/match': 'true' } });

  it('restarts a searching workload for a referenced Secret annotated match', () => {
    expect(planRestarts(matched, searching(), honour)).toEqual({ restart: true, reason: 'referenced-with-reloader-search-match', patch: { annotationKey: KEY, annotationValue: HASH } });
    expect(planRestarts(matched, aWorkload({ podAnnotations: { 'reloader.stakater.com/search': 'true' }, podSpec: usingSecret('db-creds') }), honour).restart).toBe(true);
  });

  it('does not restart for a Secret without match, nor for a match the workload does not reference', () => {
    expect(planRestarts(aChange(), searching(), honour)).toEqual({ restart: false, reason: 'reloader-search-without-match' });
    expect(planRestarts(aChange({ annotations: { 'reloader.stakater.com/match': 'false' } }), searching(), honour).restart).toBe(false);
    expect(planRestarts(matched, aWorkload({ annotations: { 'reloader.stakater.com/search': 'true' }, podSpec: usingSecret('other') }), honour)).toEqual({ restart: false, reason: 'not-opted-in' });
  });

  it('lets auto decide where both are set (as Reloader does): match is not needed', () => {
    expect(planRestarts(aChange(), searching({ 'reloader.stakater.com/auto': 'true' }), honour)).toMatchObject({ restart: true, reason: 'referenced-with-reloader-auto' });
  });

  it('acts on neither when Reloader\'s annotations are not honoured', () => {
    expect(planRestarts(matched, searching(), ignore)).toEqual({ restart: false, reason: 'reloader-annotations-not-honoured' });
  });

  it.each([
    ['reloader.stakater.com/auto', { 'reloader.stakater.com/auto': 'true' }],
    ['secret.reloader.stakater.com/reload', { 'secret.reloader.stakater.com/reload': 'db-creds' }],
    ['search + match', { 'reloader.stakater.com/search': 'true' }],
    ['akvsync.io/reload', { 'akvsync.io/reload': 'true' }],
    ['akvsync.io/reload-secrets', { 'akvsync.io/reload-secrets': 'db-creds' }],
  ])('never restarts for a Secret annotated reloader.stakater.com/ignore, whatever the workload asks (%s)', (_what, annotations) => {
    const ignored = aChange({ annotations: { 'reloader.stakater.com/ignore': 'true', 'reloader.stakater.com/match': 'true' } });
    expect(planRestarts(ignored, aWorkload({ annotations, podSpec: usingSecret('db-creds') }), honour)).toEqual({ restart: false, reason: 'ignored-by-reloader-annotation' });
  });

  it('reads ignore as Reloader does (strconv.ParseBool) and only when honoured', () => {
    const workload = aWorkload({ annotations: { 'akvsync.io/reload': 'true' }, podSpec: usingSecret('db-creds') });
    expect(planRestarts(aChange({ annotations: { 'reloader.stakater.com/ignore': 'yes' } }), workload, honour).restart).toBe(true);
    expect(planRestarts(aChange({ annotations: { 'reloader.stakater.com/ignore': 'true' } }), workload, ignore).restart).toBe(true);
  });
});

describe('planRestarts: Argo Rollouts', () => {
  const rollout = (annotations: Record<string, string>) => aWorkload({ kind: 'Rollout', annotations: { 'reloader.stakater.com/auto': 'true', ...annotations }, podSpec: usingSecret('db-creds') });

  it('restarts an opted-in Rollout, and not again for the hash recorded on the Rollout itself', () => {
    expect(planRestarts(aChange(), rollout({}), honour)).toEqual({ restart: true, reason: 'referenced-with-reloader-auto', patch: { annotationKey: KEY, annotationValue: HASH } });
    expect(planRestarts(aChange(), rollout({ [KEY]: HASH }), honour)).toEqual({ restart: false, reason: 'already-restarted-for-this-hash' });
    // The pod template of a Rollout holds no restart record (a template change would be a new revision).
    const recordedInTemplate = { ...rollout({}), podTemplate: { annotations: { [KEY]: HASH }, spec: usingSecret('db-creds') } };
    expect(planRestarts(aChange(), recordedInTemplate, honour).restart).toBe(true);
  });
});
