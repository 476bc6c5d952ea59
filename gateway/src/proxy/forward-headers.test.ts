import type { IncomingMessage } from 'node:http';
import { INSTANCE_TOKEN_HEADER, WEBHOOK_MARK_HEADER } from '@silo/contracts';
import { describe, expect, it } from 'vitest';
import { forwardHeaderList, prepareForwardHeaders, responseHeaderList } from './forward-headers.js';

function fakeReq(headers: Record<string, string | string[]>, encrypted = false): IncomingMessage {
  return {
    headers: { ...headers },
    socket: { remoteAddress: '127.0.0.9', ...(encrypted ? { encrypted: true } : {}) },
  } as unknown as IncomingMessage;
}

/** The flat list as [name, value] pairs. */
const pairs = (list: string[]) => list.flatMap((v, i) => (i % 2 === 0 ? [[v, list[i + 1]]] : []));

describe('forwardHeaderList', () => {
  it('drops hop-by-hop, Connection-named, Authorization, x-silo-* and x-forwarded-* headers and adds the gateway ones', () => {
    const req = fakeReq({
      host: 'gw.example:8080',
      accept: 'application/json',
      authorization: 'Bearer sk_secret',
      connection: 'keep-alive, X-Private',
      'x-private': 'hop',
      'keep-alive': 'timeout=5',
      te: 'trailers',
      'transfer-encoding': 'chunked',
      'x-silo-instance-token': 'forged',
      'x-silo-webhook': '1',
      'x-forwarded-for': '6.6.6.6',
      cookie: 'a=1; b=2',
      'x-request-id': 'from-client',
    });
    const list = forwardHeaderList(req, { instanceToken: 'tok', requestId: 'rid' });
    expect(pairs(list)).toEqual([
      ['host', 'gw.example:8080'],
      ['accept', 'application/json'],
      ['cookie', 'a=1; b=2'],
      [INSTANCE_TOKEN_HEADER, 'tok'],
      ['x-request-id', 'rid'],
      ['x-forwarded-for', '127.0.0.9'],
      ['x-forwarded-proto', 'http'],
      ['x-forwarded-host', 'gw.example:8080'],
    ]);
    // The client's request is left as it came.
    expect(req.headers.authorization).toBe('Bearer sk_secret');
  });

  it('marks a keyless webhook, says https on a TLS socket and repeats a multi-valued header', () => {
    const req = fakeReq({ host: 'h', 'x-multi': ['1', '2'] }, true);
    const got = pairs(forwardHeaderList(req, { instanceToken: 't', requestId: 'r', webhook: true }));
    expect(got).toContainEqual([WEBHOOK_MARK_HEADER, '1']);
    expect(got).toContainEqual(['x-forwarded-proto', 'https']);
    expect(got.filter(([n]) => n === 'x-multi')).toEqual([
      ['x-multi', '1'],
      ['x-multi', '2'],
    ]);
  });
});

describe('responseHeaderList', () => {
  it("keeps the instance's headers as sent (duplicates too) without the hop-by-hop ones, with the request id and the client's Connection", () => {
    const raw = [
      'Content-Type',
      'application/json',
      'Set-Cookie',
      'a=1',
      'Set-Cookie',
      'b=2',
      'Connection',
      'keep-alive',
      'Keep-Alive',
      'timeout=65',
      'Transfer-Encoding',
      'chunked',
      'X-Request-Id',
      'from-instance',
    ];
    expect(pairs(responseHeaderList(raw, 'rid', false))).toEqual([
      ['x-request-id', 'rid'],
      ['Content-Type', 'application/json'],
      ['Set-Cookie', 'a=1'],
      ['Set-Cookie', 'b=2'],
      ['connection', 'close'],
    ]);
    expect(responseHeaderList([], 'rid', true)).toEqual(['x-request-id', 'rid', 'connection', 'keep-alive']);
  });
});

describe('prepareForwardHeaders (WebSockets)', () => {
  it('applies the same rules to req.headers and keeps the upgrade', () => {
    const req = fakeReq({
      host: 'gw.example',
      authorization: 'Bearer sk_secret',
      connection: 'Upgrade, X-Private',
      'x-private': 'hop',
      upgrade: 'websocket',
      'sec-websocket-key': 'k',
      'x-silo-instance-token': 'forged',
      'x-silo-webhook': '1',
      'x-forwarded-host': 'evil',
      'x-request-id': 'from-client',
    });
    prepareForwardHeaders(req, { instanceToken: 'tok', requestId: 'rid', keepUpgrade: true });
    expect(req.headers).toEqual({
      host: 'gw.example',
      'sec-websocket-key': 'k',
      [INSTANCE_TOKEN_HEADER]: 'tok',
      'x-request-id': 'rid',
      'x-forwarded-for': '127.0.0.9',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'gw.example',
      connection: 'upgrade',
      upgrade: 'websocket',
    });
    expect(req.headers[WEBHOOK_MARK_HEADER]).toBeUndefined();
  });
});
