import { Hono } from 'hono';
import { NotFoundError, ValidationError } from '../errors.js';
import { executableRevision } from '../flow/drafts.js';
import { resolveInputs } from '../flow/inputs/index.js';
import { executionJson } from '../model/execution-json.js';
import type { FlowRepository } from '../ports/flow-repository.js';
import type { Engine } from '../runner/engine.js';
import { allConditionsHold } from '../triggers/conditions.js';
import {
  findWebhookTrigger,
  WEBHOOK_TRIGGER_TYPE,
  webhookBody,
  webhookHeaders,
  webhookParameters,
} from '../triggers/webhook.js';
import { checkInlineSize, checkNesting } from './body-limits.js';
import { op } from './operation.js';

export type WebhookRoutesDeps = {
  engine(): Engine;
  flows(): FlowRepository;
  /** Renders a templated webhook `key` (e.g. with `secret()`), unmasked. @default the key as written */
  renderKey?: (template: string) => string;
  /** Masks secret values in what is stored (the request's body, headers, parameters). @default none */
  mask?: <T>(value: T) => T;
  /** Bound on `wait: true` webhooks. @default 60000 */
  waitTimeoutMs?: number;
};

/**
 * Kestra's webhook trigger endpoints (SCOPE.md rows 17–20):
 * `GET|POST|PUT /executions/webhook/{namespace}/{flowId}/{key}[/{path}]`.
 * The key in the path is the secret. An unknown flow or key answers 404
 * `Flow not found`; conditions that reject answer 204 with no body; else
 * the execution is committed to SQLite, then answered as a `WebhookResponse`
 * (after its end when the trigger says `wait: true`).
 */
export function createWebhookRoutes(deps: WebhookRoutesDeps): Hono {
  const api = new Hono();
  const handler = async (c: import('hono').Context) => {
    const { namespace, flowId, key } = c.req.param() as { namespace: string; flowId: string; key: string };
    const record = executableRevision(deps.flows(), namespace, flowId);
    const trigger =
      record && !record.flow.disabled ? findWebhookTrigger(record.flow, key, deps.renderKey) : undefined;
    if (!record || !trigger) throw new NotFoundError('webhook', `${namespace}.${flowId}`, 'Flow not found');
    const flow = record.flow;
    const engine = deps.engine();
    const method = c.req.method;
    const text = method === 'GET' ? '' : await c.req.text();
    checkInlineSize(Buffer.byteLength(text), 'the webhook body');
    const body = webhookBody(method, text);
    checkNesting(body, 'the webhook body');
    const variables = {
      body,
      headers: webhookHeaders(c.req.raw.headers),
      parameters: webhookParameters(new URL(c.req.url)),
    };
    const renderVars: Record<string, unknown> = {
      flow: { id: flow.id, namespace: flow.namespace, revision: flow.revision },
      labels: Object.fromEntries(flow.labels.map((l) => [l.key, l.value])),
      vars: flow.variables,
      trigger: variables,
    };
    let accepted: boolean;
    try {
      accepted = allConditionsHold(trigger.conditions, {
        variables: renderVars,
        render: (t, v) => engine.expressions.render(t, v),
      });
    } catch (err) {
      throw new ValidationError(
        `Webhook conditions of ${namespace}.${flowId} could not be evaluated: ${(err as Error).message}`,
      );
    }
    if (!accepted) return c.body(null, 204);
    let raw: Record<string, unknown> = {};
    if (trigger.props.inputs !== undefined) {
      try {
        raw = engine.expressions.renderValue(trigger.props.inputs, renderVars) as Record<string, unknown>;
      } catch (err) {
        throw new ValidationError(
          `Invalid entity: webhook inputs could not be rendered: ${(err as Error).message}`,
        );
      }
    }
    const resolved = resolveInputs(flow.inputs, raw, { now: new Date() });
    if (!resolved.ok) {
      throw new ValidationError(
        `Invalid entity: ${resolved.issues.map((i) => i.message).join(', ')}`,
        resolved.issues.map((i) => ({ message: i.message, path: `inputs.${i.input}` })),
      );
    }
    // Committed (execution + start event, one transaction) before any answer: no 2xx for an unrecorded event.
    const created = engine.create(flow, {
      inputs: resolved.values,
      labels: [],
      trigger: {
        id: trigger.id,
        type: WEBHOOK_TRIGGER_TYPE,
        variables: deps.mask ? deps.mask(variables) : variables,
      },
    });
    const final =
      trigger.props.wait === true
        ? ((await engine.waitSettled(created.id, deps.waitTimeoutMs ?? 60_000)) ?? created)
        : created;
    const e = executionJson(final, new Date());
    return c.json({
      tenantId: c.req.param('tenant') ?? 'main',
      id: e.id,
      namespace: e.namespace,
      flowId: e.flowId,
      flowRevision: e.flowRevision,
      trigger: e.trigger,
      ...(trigger.props.returnOutputs === true ? { outputs: final.outputs ?? null } : {}),
      labels: e.labels,
      state: e.state,
      url: `${publicOrigin(c)}/ui/executions/${namespace}/${flowId}/${created.id}`,
    });
  };
  const base = '/executions/webhook/:namespace/:flowId/:key';
  api.get(base, op('triggerExecutionByGetWebhook'), handler);
  api.post(base, op('triggerExecutionByPostWebhook'), handler);
  api.put(base, op('triggerExecutionByPutWebhook'), handler);
  const withPath = `${base}/:path{.+}`;
  api.get(withPath, op('triggerExecutionByGetWebhookWithPath'), handler);
  api.post(withPath, op('triggerExecutionByPostWebhookWithPath'), handler);
  api.put(withPath, op('triggerExecutionByPutWebhookWithPath'), handler);
  return api;
}

/** The origin the caller used (behind the gateway: its `X-Forwarded-*` headers), for the absolute `url`. */
export function publicOrigin(c: import('hono').Context): string {
  const url = new URL(c.req.url);
  const proto = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim() || url.protocol.replace(':', '');
  const host = c.req.header('x-forwarded-host')?.split(',')[0]?.trim() || url.host;
  return `${proto}://${host}`;
}
