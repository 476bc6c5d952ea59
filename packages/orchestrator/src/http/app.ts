import {
  HEALTHZ_PATH,
  INSTANCE_TOKEN_HEADER,
  KESTRA_CONFIGS_PATH,
  KESTRA_CONFIGURATION,
  type KestraVersion,
  LIFECYCLE_PATH,
  type LifecycleReport,
  READYZ_PATH,
  WEBHOOK_MARK_HEADER,
  WEBHOOK_NOT_FOUND_MESSAGE,
  webhookTarget,
} from '@silo/contracts';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from 'pino';
import { NotFoundError, PayloadTooLargeError, UnauthorizedError } from '../errors.js';
import { dialectContext } from './dialect.js';
import { makeOnError, notFoundReply } from './on-error.js';
import { OPERATION_HEADER, ROUTE_HEADER } from './operation.js';
import { declaredBodyLength } from './request-body.js';
import { secretMatcher } from './timing-safe.js';

/** What the HTTP layer needs from the rest of the instance. */
export type HttpAppDeps = {
  tenantId: string;
  /** When set, every `/api/...` and `/_silo/...` request must carry it. */
  instanceToken: string | undefined;
  logger: Logger;
  isReady: () => boolean;
  lifecycle: () => LifecycleReport;
  /** The tenant API, mounted at `/api/v1/{tenant}`. */
  api: Hono;
  /** Keep the `x-silo-operation` header (the operationId that answered) on answers: for the route table test. @default false */
  exposeOperationIds?: boolean;
  /** Largest request body in bytes; a larger one is a 413 before any handler reads it. @default 104857600 */
  maxBodyBytes?: number;
  /** The Kestra dialect of the answers (error bodies, shapes of the shared paths). @default "1.3" */
  kestraVersion?: KestraVersion;
};

/**
 * Builds the instance's HTTP app. Middleware order, visible in one place:
 * health → instance token → tenant check → the tenant API.
 */
export function createHttpApp(deps: HttpAppDeps): Hono {
  const app = new Hono();
  app.use('*', dialectContext(deps.kestraVersion ?? '1.3', deps.tenantId));
  app.onError(makeOnError(deps.logger));
  app.notFound(notFoundReply);

  app.get(HEALTHZ_PATH, (c) => c.json({ status: 'UP' }));
  app.get(READYZ_PATH, (c) =>
    deps.isReady() ? c.json({ status: 'READY' }) : c.json({ status: 'STARTING' }, 503),
  );

  if (!deps.exposeOperationIds)
    app.use('/api/*', async (c, next) => {
      await next();
      c.res.headers.delete(OPERATION_HEADER);
      c.res.headers.delete(ROUTE_HEADER);
    });

  const guarded = ['/api/*', '/_silo/*'];
  const tokenMatches = deps.instanceToken === undefined ? undefined : secretMatcher(deps.instanceToken);
  for (const path of guarded) {
    app.use(path, async (c, next) => {
      if (tokenMatches !== undefined) {
        const given = c.req.header(INSTANCE_TOKEN_HEADER);
        if (given === undefined || !tokenMatches(given)) {
          throw new UnauthorizedError('Unauthorized: this instance only answers requests from its gateway');
        }
      }
      await next();
    });
  }

  app.get(LIFECYCLE_PATH, (c) => c.json(deps.lifecycle()));
  app.get(KESTRA_CONFIGS_PATH, (c) => c.json(KESTRA_CONFIGURATION));

  const maxSize = deps.maxBodyBytes ?? 100 * 1024 * 1024;
  const limit = bodyLimit({
    maxSize,
    onError: () => {
      throw new PayloadTooLargeError(`Payload Too Large: the request body exceeds ${maxSize} bytes`, [
        { message: `exceeds ${maxSize} bytes`, path: 'body' },
      ]);
    },
  });
  app.use('/api/*', (c, next) => {
    // A length the headers state and within the limit needs no look at the body (request-body.ts).
    const length = declaredBodyLength(c);
    return length !== undefined && length <= maxSize ? next() : limit(c, next);
  });

  app.use('/api/v1/:tenant/*', async (c, next) => {
    const tenant = c.req.param('tenant');
    if (tenant !== deps.tenantId && tenant !== 'main') {
      throw new NotFoundError('tenant', tenant, `Not Found: tenant ${tenant} is not served here`);
    }
    await next();
  });
  // A keyless webhook the gateway let through: webhook routes only, and one 404 for every miss.
  app.use('/api/v1/:tenant/*', async (c, next) => {
    if (c.req.header(WEBHOOK_MARK_HEADER) === undefined) return next();
    const segments = c.req.path.split('/').slice(4);
    if (webhookTarget(c.req.method, segments) === undefined) {
      return c.json({ message: WEBHOOK_NOT_FOUND_MESSAGE, code: 'NOT_FOUND' }, 404);
    }
    await next();
    if (c.res.status === 404) {
      c.res = undefined;
      c.res = c.json({ message: WEBHOOK_NOT_FOUND_MESSAGE, code: 'NOT_FOUND' }, 404);
    }
  });
  app.route('/api/v1/:tenant', deps.api);
  return app;
}
