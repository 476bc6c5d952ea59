/** What the gateway knows of one webhook (by its hash) of a tenant. */
export type WebhookKeyLookup =
  /** The tenant's last report named this webhook. */
  | 'known'
  /** The tenant reported its webhooks and this one was not among them. */
  | 'unknown'
  /** The tenant never reported its webhooks (created before the field, or never started). */
  | 'unreported';

/**
 * The hashed webhook keys each tenant's instance last reported (SHA-256 of
 * `webhookKeyMaterial`, never a key in clear), so that the gateway answers a
 * keyless webhook for a stopped tenant without starting it (issue 12 §3).
 * Asynchronous from the start, so that a PostgreSQL adapter fits unchanged.
 * `SqliteWebhookKeyStore` implements it; the contract is
 * `webhook-key-store.contract.ts`.
 *
 * @example
 * await store.replace('acme', ['9f86d0…']);
 * await store.lookup('acme', '9f86d0…'); // 'known'
 */
export interface WebhookKeyStore {
  /** Replaces the tenant's set (an empty list is a report too: "no webhooks"); ignored for an unknown tenant. */
  replace(tenantId: string, hashes: readonly string[]): Promise<void>;
  lookup(tenantId: string, hash: string): Promise<WebhookKeyLookup>;
}
