import type { Flow, Trigger } from '../flow/flow-model.js';

export const WEBHOOK_TRIGGER_TYPE = 'io.kestra.plugin.core.trigger.Webhook';

/** What a webhook request gives the execution as `trigger.*` (Kestra `Webhook.Output` is built from the request). */
export type WebhookVariables = {
  /** The JSON-parsed body, else the body as text; `null` for GET or an empty body. */
  body: unknown;
  /** Header names (lower case) → their values. */
  headers: Record<string, string[]>;
  /** Query parameters → their values, in order. */
  parameters: Record<string, string[]>;
};

/**
 * The enabled Webhook trigger of `flow` whose `key` is `key` (rendered keys
 * are compared as written: a key is a secret, not a template), or undefined.
 */
export function findWebhookTrigger(flow: Flow, key: string): Trigger | undefined {
  if (key === '') return undefined;
  return flow.triggers.find(
    (t) =>
      t.type === WEBHOOK_TRIGGER_TYPE &&
      !t.disabled &&
      typeof t.props.key === 'string' &&
      t.props.key === key,
  );
}

/** Kestra's body handling: JSON when it parses, else the raw text; none → `null`. */
export function webhookBody(method: string, text: string): unknown {
  if (method === 'GET' || text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Query parameters as lists (`?age=12&age=13` → `{ age: ['12', '13'] }`). */
export function webhookParameters(url: URL): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) {
    const list = out[k] ?? [];
    list.push(v);
    out[k] = list;
  }
  return out;
}

/** Headers as lists, hop-by-hop and Silo's own instance token left out. */
export function webhookHeaders(headers: Headers): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  headers.forEach((value, name) => {
    const n = name.toLowerCase();
    if (n === 'x-silo-instance-token' || n === 'authorization' || n === 'cookie') return;
    const list = out[n] ?? [];
    list.push(value);
    out[n] = list;
  });
  return out;
}
