/**
 * Keyless webhooks between the gateway and an instance (issue 12 §3). A
 * webhook is the one request that reaches an instance without a tenant key:
 * the key in its path is the secret, as in Kestra. So the gateway lets only
 * the exact shape through, marks it, and the instance serves nothing but its
 * webhook routes for a marked request.
 */

/** Set by the gateway (and stripped from clients) on a keyless webhook request. */
export const WEBHOOK_MARK_HEADER = 'x-silo-webhook';

/** The methods Kestra's webhook trigger answers. */
export const WEBHOOK_METHODS: readonly string[] = ['GET', 'POST', 'PUT'];

/** Most webhook key hashes a lifecycle report carries (bounded report, bounded registry rows). */
export const MAX_WEBHOOK_KEYS = 5_000;

/**
 * The one answer for an unknown tenant, an unknown flow and a wrong key,
 * from the gateway (instance stopped) and from the instance (marked
 * request) alike, so that neither status nor body tells them apart.
 */
export const WEBHOOK_NOT_FOUND_MESSAGE = 'Not Found: no webhook at this path';

/** The parts of a webhook path after `/api/v1/{tenant}/`. */
export type WebhookTarget = { namespace: string; flowId: string; key: string };

/**
 * The webhook named by the segments after the tenant
 * (`executions/webhook/{namespace}/{flowId}/{key}[/…]`), decoded; undefined
 * for any other shape (too short, an empty part, other method).
 *
 * @example
 * webhookTarget('POST', ['executions', 'webhook', 'company', 'hello', 'k3y']);
 * // { namespace: 'company', flowId: 'hello', key: 'k3y' }
 * webhookTarget('POST', ['executions', 'webhook', 'internal-report']); // undefined
 */
export function webhookTarget(method: string, segments: readonly string[]): WebhookTarget | undefined {
  if (!WEBHOOK_METHODS.includes(method.toUpperCase())) return undefined;
  if (segments[0] !== 'executions' || segments[1] !== 'webhook' || segments.length < 5) return undefined;
  const parts = segments.slice(2, 5).map(decodeOrUndefined);
  const [namespace, flowId, key] = parts;
  if (!namespace || !flowId || !key) return undefined;
  return { namespace, flowId, key };
}

/**
 * The text both sides hash (SHA-256, hex) to name one webhook without its
 * key in clear: `{namespace}/{flowId}/{key}` (neither a namespace nor a flow
 * id holds a `/`).
 */
export function webhookKeyMaterial(target: WebhookTarget): string {
  return `${target.namespace}/${target.flowId}/${target.key}`;
}

function decodeOrUndefined(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
