import { kvTemplateFunction } from '../kv/kv-function.js';
import type { Expressions } from '../ports/expressions.js';
import type { KvService } from '../ports/kv-store.js';
import type { LogStore } from '../ports/log-store.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { InternalStorage } from '../storage/internal-storage.js';
import { readTemplateFunction } from '../storage/read-function.js';
import { render, renderValue, type TemplateFunction } from '../template/index.js';

/** Where rendering happens: one task run of one execution. */
export type RenderScope = { executionId: string; namespace: string };

/**
 * The template engine adapted to the `Expressions` port, with the engine's
 * functions (`currentEachOutput`, `errorLogs`, `read`, `kv`, `secret`).
 * `forRun` renders for tasks (real secret values); `executor` renders what
 * lands in the execution JSON (flow outputs, Subflow outputs, Flow trigger
 * inputs), so secret values are masked there.
 *
 * @example
 * const { executor, forRun } = engineExpressions({ logs, storage, secrets });
 * forRun({ executionId, namespace }).render('{{ secret("TOKEN") }}', vars);
 */
export function engineExpressions(o: {
  logs: LogStore;
  storage: InternalStorage;
  kv?: KvService | undefined;
  secrets?: SecretStore | undefined;
  /** The tenant id, the `flow.tenantId` of expressions. */
  tenantId?: string | undefined;
}): { executor: Expressions; forRun: (scope: RenderScope) => Expressions } {
  const read = readTemplateFunction(o.storage);
  const functionsFor = (executionId: string, namespace: string): Record<string, TemplateFunction> => ({
    currentEachOutput: ([value], _named, ctx) => currentEachOutput(value, ctx.variables),
    errorLogs: () =>
      o.logs.list(executionId, { minLevel: 4 }).map((l) => ({
        taskId: l.taskId ?? null,
        message: l.message,
        level: l.level,
        timestamp: l.timestamp,
      })),
    read,
    ...(o.kv ? { kv: kvTemplateFunction(o.kv, namespace) } : {}),
    ...(o.secrets ? { secret: o.secrets.templateFunction() } : {}),
  });
  // `flow.tenantId` (Kestra): the instance's tenant, added where the variables carry a `flow`.
  const withTenant = (vars: Record<string, unknown>): Record<string, unknown> =>
    o.tenantId !== undefined && typeof vars.flow === 'object' && vars.flow !== null
      ? { ...vars, flow: { ...(vars.flow as object), tenantId: o.tenantId } }
      : vars;
  const forRun = (c: RenderScope): Expressions => {
    const functions = functionsFor(c.executionId, c.namespace);
    return {
      render: (t, vars) => render(t, withTenant(vars), { functions }),
      renderValue: (v, vars) => renderValue(v, withTenant(vars), { functions }),
    };
  };
  // The executor renders conditions and values: execution-level functions, looked up per execution.
  const mask = <T>(v: T): T => (o.secrets ? o.secrets.mask(v) : v);
  const executor: Expressions = {
    render: (t, vars) => mask(forRun(scopeOf(vars)).render(t, vars)),
    renderValue: (v, vars) => mask(forRun(scopeOf(vars)).renderValue(v, vars)),
  };
  return { executor, forRun };
}

function scopeOf(vars: Record<string, unknown>): RenderScope {
  const e = vars.execution as { id?: string } | undefined;
  const f = vars.flow as { namespace?: string } | undefined;
  return { executionId: e?.id ?? '', namespace: f?.namespace ?? '' };
}

/** Kestra's `currentEachOutput(outputs.x)`: indexes the value by the loop values of the current task run. */
function currentEachOutput(value: unknown, variables: Readonly<Record<string, unknown>>): unknown {
  const parents = (variables.parents ?? []) as Array<{ taskrun?: { value?: unknown } }>;
  const values = parents
    .map((p) => p.taskrun?.value)
    .reverse()
    .concat([(variables.taskrun as { value?: unknown } | undefined)?.value]);
  let node = value;
  for (const v of values) {
    if (typeof v !== 'string') continue;
    if (node && typeof node === 'object' && Object.hasOwn(node, v))
      node = (node as Record<string, unknown>)[v];
  }
  return node;
}
