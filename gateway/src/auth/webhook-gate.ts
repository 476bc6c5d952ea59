import { createHash } from 'node:crypto';
import { WEBHOOK_NOT_FOUND_MESSAGE, type WebhookTarget, webhookKeyMaterial } from '@silo/contracts';
import { GatewayError } from '../errors.js';
import type { InstanceState } from '../lifecycle/instance-state.js';
import type { Registry } from '../tenants/registry.js';

/**
 * The one answer to a keyless webhook that leads nowhere: unknown tenant,
 * suspended tenant, unknown flow, wrong key. The instance answers a marked
 * request that misses with the same status and body.
 */
export class WebhookNotFoundError extends GatewayError {
  override readonly name = 'WebhookNotFoundError';
  readonly code = 'NOT_FOUND';
  constructor() {
    super(WEBHOOK_NOT_FOUND_MESSAGE);
  }
}

export type WebhookGateOptions = {
  registry: Pick<Registry, 'tenants' | 'instances' | 'webhookKeys'>;
  /** The instance state of a tenant (the lifecycle's view). */
  instanceState: (tenantId: string) => InstanceState;
};

/**
 * Decides whether a keyless webhook (`executions/webhook/{ns}/{flow}/{key}`)
 * may reach a tenant's instance (issue 12 §3). A running instance is the
 * authority (it knows a flow deployed a second ago) and answers a miss with
 * the same 404; otherwise the gateway answers from the hashed keys the
 * instance last reported, so that a miss never starts an instance and an
 * unknown tenant looks exactly like a wrong key. A tenant that never
 * reported (created before this field) but has run is woken once to learn.
 *
 * @example
 * const tenantId = await gate.admit('acme', { namespace: 'ns', flowId: 'f', key: 'k' });
 */
export class WebhookGate {
  readonly #o: WebhookGateOptions;

  constructor(options: WebhookGateOptions) {
    this.#o = options;
  }

  /** The tenant to forward to; throws `WebhookNotFoundError` for every miss. */
  async admit(segment: string, target: WebhookTarget): Promise<string> {
    const { registry } = this.#o;
    const tenant = segment === 'main' ? undefined : await registry.tenants.get(segment);
    if (tenant === undefined || tenant.state === 'suspended') throw new WebhookNotFoundError();
    const state = this.#o.instanceState(tenant.id);
    if (state === 'running' || state === 'paused' || state === 'draining') return tenant.id;
    const hash = createHash('sha256').update(webhookKeyMaterial(target)).digest('hex');
    const found = await registry.webhookKeys.lookup(tenant.id, hash);
    if (found === 'known') return tenant.id;
    // Never reported: a tenant that never ran has no flows; one that ran before this field is woken to learn.
    if (found === 'unreported' && (await registry.instances.get(tenant.id)).coldStarts > 0) return tenant.id;
    throw new WebhookNotFoundError();
  }
}
