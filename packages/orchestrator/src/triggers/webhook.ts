import { timingSafeEqual } from 'node:crypto';
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
 * The enabled Webhook trigger of `flow` whose `key` is `key`, or undefined.
 * A key written as a template (`{{ secret('WEBHOOK_KEY') }}`) is rendered
 * with `renderKey` first; a key that cannot be rendered matches nothing.
 */
export function findWebhookTrigger(
  flow: Flow,
  key: string,
  renderKey: (template: string) => string = (t) => t,
): Trigger | undefined {
  if (key === '') return undefined;
  return flow.triggers.find((t) => {
    if (t.type !== WEBHOOK_TRIGGER_TYPE || t.disabled || typeof t.props.key !== 'string') return false;
    let expected: string;
    try {
      expected = /\{[{%]/.test(t.props.key) ? renderKey(t.props.key) : t.props.key;
    } catch {
      return false;
    }
    return expected !== '' && timingSafeEqualText(expected, key);
  });
}

/** Compares a secret key in constant time for equal lengths. */
function timingSafeEqualText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
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

/** Headers as lists, credentials and Silo's own `x-silo-*` headers left out. */
export function webhookHeaders(headers: Headers): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  headers.forEach((value, name) => {
    const n = name.toLowerCase();
    if (n.startsWith('x-silo-') || n === 'authorization' || n === 'cookie') return;
    const list = out[n] ?? [];
    list.push(value);
    out[n] = list;
  });
  return out;
}
