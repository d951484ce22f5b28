/**
 * Leader-only component: keeps the shared webhook-TLS Secret and the webhook configuration's caBundle where
 * planRotation (core/webhook-tls/rotation-plan.ts) says. One pass: read the Secret, make the caBundle trust its CA
 * bundle, plan, write (create-if-absent, or replace at the read resourceVersion; a conflict re-reads), and again until
 * nothing is due; then sleep until the next due time, at most `resyncMs` (a configuration recreated without caBundle
 * is patched within it). A Secret change seen by the watcher triggers a pass at once. Failures are retried with
 * backoff and logged by code; certificates and keys are never logged.
 */
import type { Logger } from 'pino';
import { planRotation } from '../../core/webhook-tls/rotation-plan.js';
import type { RotationPlan, RotationSettings } from '../../core/webhook-tls/rotation-plan.js';
import { backoffDelayMs, describeFailure } from '../error-policy.js';
import type { Component } from '../manager/component.js';
import type { Scheduler } from '../ports/scheduler.js';
import type { CaBundlePatcher } from './ca-bundle-patcher.js';
import { applyRotation, certificatesOf, webhookTlsFacts } from './webhook-tls-material.js';
import type { WebhookTlsSecret } from './webhook-tls-secret.js';

export interface WebhookTlsRotatorOptions {
  readonly secret: WebhookTlsSecret;
  /** undefined: no webhook configuration to keep (its caBundle is someone else's). */
  readonly caBundle: CaBundlePatcher | undefined;
  readonly hosts: readonly string[];
  readonly settings: RotationSettings;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  readonly resyncMs?: number;
}

const MAX_STEPS = 8;

export class WebhookTlsRotator implements Component {
  readonly name = 'webhook-tls-rotator';
  readonly leaderOnly = true;
  private cancel: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private failures = 0;
  private stopped = true;

  constructor(private readonly options: WebhookTlsRotatorOptions) {}

  async start(): Promise<void> {
    this.stopped = false;
    this.trigger();
    await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancel?.();
    this.cancel = undefined;
    await this.running;
  }

  /** Runs a pass now (or right after the one running); a no-op unless started. */
  trigger(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.cancel?.();
    this.running = this.pass().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.trigger();
      }
    });
  }

  /** Steps until nothing is due; returns the actions taken (tests). */
  async reconcileOnce(): Promise<{ actions: RotationPlan['action'][]; nextCheckAtMs: number }> {
    const { secret, caBundle, hosts, settings, scheduler, logger } = this.options;
    const actions: RotationPlan['action'][] = [];
    for (let step = 0; step < MAX_STEPS; step++) {
      const stored = await secret.read();
      let webhookTrusts: string[] | undefined;
      if (stored && caBundle) {
        const result = await caBundle.ensure(stored.material.caBundlePem);
        if (result === 'patched') logger.info({ webhookConfiguration: caBundle.name, cas: certificatesOf(stored.material.caBundlePem).length }, 'webhook caBundle updated');
        if (result !== 'absent') webhookTrusts = certificatesOf(stored.material.caBundlePem).map((c) => c.fingerprint256);
      }
      const nowMs = scheduler.now();
      const facts = stored ? webhookTlsFacts(stored.material) : undefined;
      const plan = planRotation({ facts, hosts, settings, nowMs, rotateCaBeforeMs: stored?.rotateCaBeforeMs, webhookTrusts });
      if (plan.action === 'none') return { actions, nextCheckAtMs: plan.nextCheckAtMs };
      const material = await applyRotation(stored?.material, plan, { hosts, settings, nowMs });
      const written = stored ? await secret.replace(material, stored) : await secret.create(material);
      logger.info({ secret: `${secret.namespace}/${secret.name}`, action: plan.action, reason: 'reason' in plan ? plan.reason : 'absent', written },
        written ? 'webhook certificates changed' : 'webhook certificates changed meanwhile; planning again');
      if (written) actions.push(plan.action);
    }
    return { actions, nextCheckAtMs: scheduler.now() + 1000 };
  }

  private async pass(): Promise<void> {
    const { scheduler, logger } = this.options;
    let delayMs: number;
    try {
      const { nextCheckAtMs } = await this.reconcileOnce();
      this.failures = 0;
      delayMs = Math.min(Math.max(nextCheckAtMs - scheduler.now(), 0), this.options.resyncMs ?? 60_000);
    } catch (error) {
      delayMs = backoffDelayMs(this.failures++, { baseDelayMs: 1000, maxDelayMs: 60_000 });
      logger.warn({ code: describeFailure(error).code, retryInMs: delayMs }, 'webhook certificate check failed');
    }
    if (!this.stopped) this.cancel = scheduler.schedule(delayMs, () => this.trigger());
  }
}
