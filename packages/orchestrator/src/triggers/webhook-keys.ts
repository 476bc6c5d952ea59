import { createHash } from 'node:crypto';
import { MAX_WEBHOOK_KEYS, webhookKeyMaterial } from '@silo/contracts';
import type { FlowRepository } from '../ports/flow-repository.js';
import { TriggerFlowIndex } from './flow-index.js';
import { WEBHOOK_TRIGGER_TYPE } from './webhook.js';

/**
 * The hashed webhook keys of an instance, for its lifecycle report: SHA-256
 * of `{namespace}/{flowId}/{key}` for every enabled webhook trigger of every
 * enabled flow (a templated key rendered with the tenant's secrets; one that
 * does not render is left out, as it matches no request). Rebuilt only when
 * the flows changed. The gateway answers keyless webhooks from these while
 * the instance is stopped; the keys themselves never leave the instance.
 *
 * @example
 * const keys = new WebhookKeyIndex(flows, () => flows.signature(), renderKey);
 * keys.current(); // ['9f86d0…']
 */
export class WebhookKeyIndex {
  readonly #flows: TriggerFlowIndex;
  readonly #renderKey: (template: string) => string;
  #cache: { source: unknown; hashes: string[] } | undefined;

  constructor(flows: FlowRepository, signature: () => string, renderKey: (template: string) => string) {
    this.#flows = new TriggerFlowIndex(flows, signature, WEBHOOK_TRIGGER_TYPE);
    this.#renderKey = renderKey;
  }

  current(): string[] {
    const flows = this.#flows.current();
    if (this.#cache?.source === flows) return this.#cache.hashes;
    const hashes = new Set<string>();
    for (const flow of flows) {
      for (const t of flow.triggers) {
        if (t.type !== WEBHOOK_TRIGGER_TYPE || t.disabled || typeof t.props.key !== 'string') continue;
        let key: string;
        try {
          key = /\{[{%]/.test(t.props.key) ? this.#renderKey(t.props.key) : t.props.key;
        } catch {
          continue;
        }
        if (key === '') continue;
        const material = webhookKeyMaterial({ namespace: flow.namespace, flowId: flow.id, key });
        hashes.add(createHash('sha256').update(material).digest('hex'));
        if (hashes.size >= MAX_WEBHOOK_KEYS) break;
      }
      if (hashes.size >= MAX_WEBHOOK_KEYS) break;
    }
    this.#cache = { source: flows, hashes: [...hashes].sort() };
    return this.#cache.hashes;
  }
}
