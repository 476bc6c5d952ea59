import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the stub received, body kept whole. */
export type StubRequest = { method: string; path: string; headers: IncomingMessage['headers']; body: Buffer };

/** A multipart part as the stub parsed it. */
export type StubPart = { name: string; filename?: string; contentType?: string; data: Buffer };

export const ORDERS_CSV = 'order_id,customer,total\n1,Ada,12.50\n2,Linus,7.25\n3,Grace,30.00\n';
/** An empty zip archive (end-of-central-directory record only): what Kestra's flow export gives for no flow. */
export const EMPTY_ZIP = Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]);
export const NAMESPACES = ['company', 'company.team', 'system'];

/**
 * The HTTP stub of the blueprint run (NOTICE.md, `__STUB_PORT__`): answers on
 * 127.0.0.1 what the few HTTP-calling blueprints ask for (Kestra's
 * namespaces search, a flow export and import, dummyjson's products, an
 * upload endpoint, the orders CSV) and records every request.
 *
 * @example
 * const stub = await startBlueprintStub();
 * yaml.replaceAll('__STUB_PORT__', String(stub.port));
 */
export async function startBlueprintStub(): Promise<{
  port: number;
  requests: StubRequest[];
  close(): Promise<void>;
}> {
  const requests: StubRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const entry = {
        method: req.method ?? 'GET',
        path: url.pathname,
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(entry);
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const p = url.pathname;
      if (p === '/kestra/api/v1/namespaces/search') {
        const size = Number(url.searchParams.get('size') ?? '10');
        return json(200, {
          results: NAMESPACES.slice(0, size).map((id) => ({ id })),
          total: NAMESPACES.length,
        });
      }
      if (/^\/api\/v1\/[^/]+\/flows\/export\/by-query$/.test(p)) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        return res.end(EMPTY_ZIP);
      }
      if (/^\/api\/v1\/[^/]+\/flows\/import$/.test(p) && entry.method === 'POST') return json(200, []);
      if (p === '/products') return json(200, { products: [{ id: 1, title: 'Essence Mascara' }], total: 1 });
      if (p === '/products/add' && entry.method === 'POST') {
        let parsed: unknown = null;
        try {
          parsed = JSON.parse(entry.body.toString('utf8'));
        } catch {
          return json(400, { message: 'invalid JSON' });
        }
        return json(201, { id: 195, ...(parsed as object) });
      }
      if (p === '/upload' && entry.method === 'POST') return json(200, { received: entry.body.length });
      if (p === '/datasets/kestra/datasets/raw/main/csv/orders.csv') {
        res.writeHead(200, { 'content-type': 'text/csv' });
        return res.end(ORDERS_CSV);
      }
      json(404, { message: `stub: no route ${p}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The parts of a multipart/form-data body (enough for the stub's checks). */
export function parseMultipart(r: StubRequest): StubPart[] {
  const m = /boundary=("?)([^";]+)\1/.exec(String(r.headers['content-type'] ?? ''));
  if (!m) throw new Error(`not multipart: content-type ${String(r.headers['content-type'])}`);
  const boundary = Buffer.from(`--${m[2]}`);
  const parts: StubPart[] = [];
  let at = r.body.indexOf(boundary);
  for (let i = 0; at >= 0 && i < 100; i++) {
    const start = at + boundary.length;
    if (r.body.subarray(start, start + 2).toString() === '--') break;
    const next = r.body.indexOf(boundary, start);
    if (next < 0) break;
    const chunk = r.body.subarray(start + 2, next - 2);
    const split = chunk.indexOf('\r\n\r\n');
    const head = chunk.subarray(0, split).toString('utf8');
    const disp = /content-disposition:[^\r\n]*/i.exec(head)?.[0] ?? '';
    parts.push({
      name: /\bname="([^"]*)"/.exec(disp)?.[1] ?? '',
      ...(/filename="([^"]*)"/.exec(disp) ? { filename: /filename="([^"]*)"/.exec(disp)?.[1] } : {}),
      ...(/content-type:\s*([^\r\n]*)/i.exec(head)
        ? { contentType: /content-type:\s*([^\r\n]*)/i.exec(head)?.[1] }
        : {}),
      data: chunk.subarray(split + 4),
    });
    at = next;
  }
  return parts;
}
