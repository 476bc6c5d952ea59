/** One server-sent event. */
export type SseEvent = { event: string; data: string; id?: string };

/**
 * Splits a text stream into server-sent events (WHATWG HTML §9.2.6): lines
 * `field: value`, events ended by a blank line, `data` lines joined by `\n`.
 * Feed it chunks; it returns the events completed by each chunk.
 *
 * @example
 * const parser = new SseParser(); parser.push('data: 1\n\n'); // [{ event: 'message', data: '1' }]
 */
export class SseParser {
  #buffer = '';
  #data: string[] = [];
  #event = '';
  #id: string | undefined;

  push(chunk: string): SseEvent[] {
    this.#buffer += chunk;
    const out: SseEvent[] = [];
    for (;;) {
      const nl = this.#buffer.search(/\r\n|\r|\n/);
      if (nl === -1) break;
      const line = this.#buffer.slice(0, nl);
      this.#buffer = this.#buffer.slice(this.#buffer.startsWith('\r\n', nl) ? nl + 2 : nl + 1);
      if (line === '') {
        if (this.#data.length > 0)
          out.push({
            event: this.#event || 'message',
            data: this.#data.join('\n'),
            ...(this.#id ? { id: this.#id } : {}),
          });
        this.#data = [];
        this.#event = '';
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') this.#data.push(value);
      else if (field === 'event') this.#event = value;
      else if (field === 'id') this.#id = value;
    }
    return out;
  }
}

/**
 * Follows an SSE endpoint with `fetch` (EventSource cannot send the CSRF
 * header the gateway asks for), calling `onEvent` per event until the stream
 * ends or `signal` aborts. Resolves when the stream ends.
 *
 * @example
 * await followSse('/api/v1/acme/executions/x/follow', headers, (e) => show(JSON.parse(e.data)), ac.signal);
 */
export async function followSse(
  url: string,
  headers: Record<string, string>,
  onEvent: (event: SseEvent) => void,
  signal: AbortSignal,
): Promise<void> {
  const res = await fetch(url, {
    headers: { ...headers, accept: 'text/event-stream' },
    signal,
    credentials: 'same-origin',
  });
  if (!res.ok || res.body === null) throw new Error(`follow ${url}: HTTP ${res.status}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new SseParser();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      for (const event of parser.push(value)) onEvent(event);
    }
  } catch (err) {
    if (signal.aborted) return;
    throw err;
  } finally {
    reader.releaseLock();
  }
}
