import { type Context, Hono } from 'hono';
import { BadRequestError, NotFoundError } from '../errors.js';
import { namespaceLineage } from '../kv/kv-function.js';
import { parseApiValue, parseTtlMs, validateNamespace } from '../kv/kv-value.js';
import type { KvEntry, KvStore } from '../ports/kv-store.js';
import { checkNesting } from './body-limits.js';
import { dialectOf } from './dialect.js';
import { listAllKeys } from './kv-search.js';
import { op } from './operation.js';

/** Kestra's `KVEntry` wire shape (metadata only, no value). */
export type KvEntryBody = {
  namespace: string;
  key: string;
  version: number;
  description: string | null;
  creationDate: string;
  updateDate: string;
  expirationDate: string | null;
};

/** Kestra's `KVController.KvDetail` wire shape. */
export type KvDetailBody = { type: string; value: unknown; revision: number; updated: string };

/**
 * Kestra's KV API (SCOPE.md rows 24–29), to mount on the tenant API
 * (`/api/v1/{tenant}`):
 * - `GET    /kv`                             → a page of `KVEntry` (`PagedResults_KVEntry_`), all namespaces
 * - `GET    /namespaces/{ns}/kv`             → `KVEntry[]` (1.3 only; 2.0 lists with `/kv?filters[namespace][EQUALS]=`)
 * - `GET    /namespaces/{ns}/kv/inheritance` → `KVEntry[]` of the namespace and its parents
 * - `GET    /namespaces/{ns}/kv/{key}`       → `KvDetail`, 404 when missing or expired
 * - `PUT    /namespaces/{ns}/kv/{key}`       ← text (JSON or plain), headers `ttl` (ISO duration), `description`
 * - `DELETE /namespaces/{ns}/kv/{key}`       → `true` | `false`
 * - `DELETE /namespaces/{ns}/kv` `{keys}`    → `{keys}` actually deleted
 *
 * `store` may be a getter, for a store that exists only once the instance
 * has opened its database.
 *
 * @example
 * api.route('/', createKvRoutes(store));
 * api.route('/', createKvRoutes(() => kvStore));
 */
export function createKvRoutes(source: KvStore | (() => KvStore)): Hono {
  const app = new Hono();
  const current = typeof source === 'function' ? source : () => source;
  const store: KvStore = {
    get: (ns, key) => current().get(ns, key),
    set: (ns, key, value, options) => current().set(ns, key, value, options),
    delete: (ns, key) => current().delete(ns, key),
    keys: (ns, prefix) => current().keys(ns, prefix),
    getRecord: (ns, key) => current().getRecord(ns, key),
    list: (ns) => current().list(ns),
    namespaces: () => current().namespaces(),
    purgeExpired: () => current().purgeExpired(),
  };

  app.get('/kv', op('listAllKeys'), (c) => {
    const { results, total } = listAllKeys(c, store);
    return c.json({ results: results.map(entryFor(c)), total });
  });

  app.get('/namespaces/:namespace/kv', op('listKeys'), (c) => {
    const namespace = c.req.param('namespace');
    return c.json(store.list(namespace).map(toEntryBody));
  });

  app.get('/namespaces/:namespace/kv/inheritance', op('listKeysWithInheritence'), (c) => {
    const namespace = c.req.param('namespace');
    return c.json(namespaceLineage(namespace).flatMap((ns) => store.list(ns).map(entryFor(c))));
  });

  app.get('/namespaces/:namespace/kv/:key', op('keyValue'), (c) => {
    const { namespace, key } = c.req.param();
    const record = store.getRecord(namespace, key);
    if (record === undefined) {
      throw new NotFoundError(
        'kv key',
        key,
        `Not Found: No value found for key '${key}' in namespace '${namespace}'`,
      );
    }
    const body: KvDetailBody = {
      type: record.type,
      value: record.value,
      revision: record.revision,
      updated: record.updatedAt,
    };
    return c.json(body);
  });

  app.put('/namespaces/:namespace/kv/:key', op('setKeyValue'), async (c) => {
    const { namespace, key } = c.req.param();
    const text = await c.req.text();
    if (text.trim() === '') throw new BadRequestError('Bad Request: the body must hold the value of the key');
    const ttlHeader = c.req.header('ttl');
    const ttlMs = ttlHeader === undefined ? undefined : parseTtlMs(ttlHeader);
    if (ttlHeader !== undefined && (ttlMs === undefined || ttlMs <= 0)) {
      throw new BadRequestError(
        `Bad Request: invalid ttl header '${ttlHeader}': expected an ISO-8601 duration such as PT1H`,
      );
    }
    const { value, type } = parseApiValue(text);
    checkNesting(value, 'the value');
    store.set(namespace, key, value, { type, ttlMs, description: c.req.header('description') ?? null });
    return c.body(null, 200);
  });

  app.delete('/namespaces/:namespace/kv/:key', op('deleteKeyValue'), (c) => {
    const { namespace, key } = c.req.param();
    return c.json(store.delete(namespace, key));
  });

  app.delete('/namespaces/:namespace/kv', op('deleteKeyValues'), async (c) => {
    const namespace = c.req.param('namespace');
    const text = await c.req.text();
    let body: { keys?: unknown } | undefined;
    try {
      body = text.trim() === '' ? undefined : (JSON.parse(text) as { keys?: unknown });
    } catch {
      body = { keys: 'malformed JSON' };
    }
    const keys = body?.keys ?? [];
    if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string')) {
      throw new BadRequestError('Bad Request: the body must be {"keys": [string, ...]}', [
        { message: 'must be a list of key names', path: 'keys' },
      ]);
    }
    validateNamespace(namespace);
    const deleted = (keys as string[]).filter((key) => {
      try {
        return store.delete(namespace, key);
      } catch {
        return false; // Kestra ignores failures of single keys in a bulk delete.
      }
    });
    return c.json({ keys: deleted });
  });

  return app;
}

/** Kestra 2.0's `KVEntry`: 1.3's with `version` renamed `revision` (CHANGES.md B.1 row 29). */
export type KvEntry20Body = Omit<KvEntryBody, 'version'> & { revision: number };

/**
 * The `KVEntry` of the instance's dialect on the paths both share (`/kv`,
 * `/namespaces/{ns}/kv/inheritance`); 1.3's `/namespaces/{ns}/kv`, gone
 * from 2.0, keeps 1.3's shape on both.
 */
function entryFor(c: Context): (e: KvEntry) => KvEntryBody | KvEntry20Body {
  if (dialectOf(c) !== '2.0') return toEntryBody;
  return (e) => {
    const { version, ...rest } = toEntryBody(e);
    return { ...rest, revision: version };
  };
}

function toEntryBody(e: KvEntry): KvEntryBody {
  return {
    namespace: e.namespace,
    key: e.key,
    version: e.revision,
    description: e.description,
    creationDate: e.createdAt,
    updateDate: e.updatedAt,
    expirationDate: e.expiresAt,
  };
}
