import type { Task } from '../../../flow/flow-model.js';
import { KvError } from '../../../kv/kv-errors.js';
import { coerceToKvType, isKvType, KV_TYPES } from '../../../kv/kv-value.js';
import type { KvService } from '../../../ports/kv-store.js';
import {
  NonRetryableTaskError,
  type RunContext,
  type RunnableTask,
  type TaskResult,
} from '../../runnable-task.js';
import {
  renderBoolean,
  renderDurationMs,
  renderOptionalString,
  renderString,
  renderStringList,
} from './render-props.js';

function kvOf(ctx: RunContext): KvService {
  const kv = ctx.services.kv;
  if (kv === undefined) throw new NonRetryableTaskError('The KV store is not available in this instance');
  return kv;
}

/** The `namespace` property, rendered; the flow's namespace by default (Kestra: `{{ flow.namespace }}`). */
function namespaceOf(task: Task, ctx: RunContext): string {
  return renderOptionalString(ctx, task.props, 'namespace') || ctx.namespace;
}

/** Invalid keys, values and sizes cannot be fixed by a retry. */
function nonRetryable<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof KvError && e.code !== 'KV_KEY_NOT_FOUND')
      throw new NonRetryableTaskError(e.message, { cause: e });
    throw e;
  }
}

/**
 * `io.kestra.plugin.core.kv.Set`: stores `value` under `key`. Properties:
 * `key`, `value`, `namespace` (default: the flow's), `overwrite` (default
 * true), `ttl`, `kvType` (converts a string value), `kvDescription`. No outputs.
 *
 * @example
 * await kvSetTask.run({ ...task, props: { key: 'orders', value: '{{ outputs.x.uri }}' } }, ctx);
 */
export const kvSetTask: RunnableTask = {
  type: 'io.kestra.plugin.core.kv.Set',
  async run(task, ctx): Promise<TaskResult> {
    const kv = kvOf(ctx);
    const namespace = namespaceOf(task, ctx);
    const key = renderString(ctx, task.props, 'key');
    const overwrite = renderBoolean(ctx, task.props, 'overwrite', true);
    const ttlMs = renderDurationMs(ctx, task.props, 'ttl');
    const kvType = renderOptionalString(ctx, task.props, 'kvType');
    if (kvType !== undefined && !isKvType(kvType)) {
      throw new NonRetryableTaskError(
        `Property 'kvType' must be one of ${KV_TYPES.join(', ')}, got '${kvType}'`,
      );
    }
    const description = renderOptionalString(ctx, task.props, 'kvDescription');
    if (!('value' in task.props) || task.props.value === undefined) {
      throw new NonRetryableTaskError("Property 'value' is required");
    }
    const raw = task.props.value;
    const rendered = typeof raw === 'string' ? ctx.render(raw) : ctx.renderValue(raw);
    nonRetryable(() => {
      const value = kvType === undefined ? rendered : coerceToKvType(namespace, key, rendered, kvType);
      const type = kvType ?? (typeof rendered === 'string' ? 'STRING' : undefined);
      kv.set(namespace, key, value, {
        overwrite,
        ...(ttlMs !== undefined && { ttlMs }),
        ...(type !== undefined && { type }),
        ...(description !== undefined && { description }),
      });
    });
    return {};
  },
};

/**
 * `io.kestra.plugin.core.kv.Get`: `outputs.value` is the value of `key` in
 * `namespace` (default: the flow's; no parent lookup, as in Kestra). A
 * missing key gives no `value`, or fails with `errorOnMissing: true`.
 */
export const kvGetTask: RunnableTask = {
  type: 'io.kestra.plugin.core.kv.Get',
  async run(task, ctx) {
    const kv = kvOf(ctx);
    const namespace = namespaceOf(task, ctx);
    const key = renderString(ctx, task.props, 'key');
    const errorOnMissing = renderBoolean(ctx, task.props, 'errorOnMissing', false);
    const found = nonRetryable(() => kv.get(namespace, key));
    if (found === undefined) {
      if (errorOnMissing) {
        throw new Error(
          `No value found for key '${key}' in namespace '${namespace}' and \`errorOnMissing\` is set to true`,
        );
      }
      return { outputs: {} };
    }
    return { outputs: { value: found.value } };
  },
};

/** `io.kestra.plugin.core.kv.Delete`: `outputs.deleted` tells whether the key existed; `errorOnMissing: true` fails instead. */
export const kvDeleteTask: RunnableTask = {
  type: 'io.kestra.plugin.core.kv.Delete',
  async run(task, ctx) {
    const kv = kvOf(ctx);
    const namespace = namespaceOf(task, ctx);
    const key = renderString(ctx, task.props, 'key');
    const errorOnMissing = renderBoolean(ctx, task.props, 'errorOnMissing', false);
    const deleted = nonRetryable(() => kv.delete(namespace, key));
    if (!deleted && errorOnMissing) {
      throw new Error(
        `No value found for key '${key}' in namespace '${namespace}' and \`errorOnMissing\` is set to true`,
      );
    }
    return { outputs: { deleted } };
  },
};

/** `io.kestra.plugin.core.kv.GetKeys`: `outputs.keys` lists the keys of `namespace` that start with `prefix` (all when absent). */
export const kvGetKeysTask: RunnableTask = {
  type: 'io.kestra.plugin.core.kv.GetKeys',
  async run(task, ctx) {
    const kv = kvOf(ctx);
    const namespace = namespaceOf(task, ctx);
    const prefix = renderOptionalString(ctx, task.props, 'prefix');
    return { outputs: { keys: kv.keys(namespace, prefix) } };
  },
};

/**
 * `io.kestra.plugin.core.kv.PurgeKV`: deletes the entries of `namespaces`
 * (default the flow's; `includeChildNamespaces` default true), only the
 * expired ones unless `expiredOnly: false`, only keys matching `keyPattern`
 * (a glob) when set. `outputs.size` is how many were deleted.
 */
export const kvPurgeTask: RunnableTask = {
  type: 'io.kestra.plugin.core.kv.PurgeKV',
  async run(task, ctx) {
    const kv = kvOf(ctx);
    if (!kv.purge) throw new NonRetryableTaskError('This KV store cannot purge');
    const keyPattern = renderOptionalString(ctx, task.props, 'keyPattern');
    const size = kv.purge({
      namespaces: renderStringList(ctx, task.props, 'namespaces') ?? [ctx.namespace],
      includeChildNamespaces: renderBoolean(ctx, task.props, 'includeChildNamespaces', true),
      expiredOnly: renderBoolean(ctx, task.props, 'expiredOnly', true),
      ...(keyPattern ? { keyPattern } : {}),
    });
    return { outputs: { size } };
  },
};

/** The KV tasks, for the worker's task registry. */
export const KV_TASKS: readonly RunnableTask[] = [
  kvSetTask,
  kvGetTask,
  kvDeleteTask,
  kvGetKeysTask,
  kvPurgeTask,
];
