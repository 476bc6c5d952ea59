import type { Readable } from 'node:stream';

/** The secrets handed to an instance could not be read: the instance refuses to start (exit 2). */
export class SecretsInputError extends Error {
  override readonly name = 'SecretsInputError';
}

/**
 * Reads the JSON object of secrets that the gateway writes on the instance's
 * standard input at start, then closes (`SILO_SECRETS_FROM=stdin`). Values
 * must be strings. The input is read to its end or until `timeoutMs`; a
 * stream that stays open is read up to the first complete JSON object.
 * Error messages never quote the input (it holds secret values).
 *
 * @example
 * const secrets = await readSecretsFrom(process.stdin); // { API_TOKEN: '...' }
 */
export async function readSecretsFrom(input: Readable, timeoutMs = 10_000): Promise<Record<string, string>> {
  const text = await new Promise<string>((resolve, reject) => {
    let buf = '';
    const done = (err?: Error) => {
      clearTimeout(timer);
      input.off('data', onData);
      input.off('end', onEnd);
      input.off('error', onError);
      input.pause();
      if (err) reject(err);
      else resolve(buf);
    };
    const onData = (chunk: Buffer | string) => {
      buf += chunk.toString();
      if (isCompleteJson(buf)) done();
    };
    const onEnd = () => done();
    const onError = (e: Error) => done(new SecretsInputError(`cannot read secrets from stdin: ${e.message}`));
    const timer = setTimeout(
      () => done(new SecretsInputError(`no secrets received on stdin within ${timeoutMs} ms`)),
      timeoutMs,
    );
    timer.unref();
    input.on('data', onData);
    input.on('end', onEnd);
    input.on('error', onError);
    input.resume();
  });
  return parseSecrets(text);
}

/** Parses and checks the secrets document (an object of strings; empty input = no secrets). */
export function parseSecrets(text: string): Record<string, string> {
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SecretsInputError('secrets on stdin are not valid JSON (expected an object of name → string)');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new SecretsInputError('secrets on stdin must be a JSON object of name → string');
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (typeof value !== 'string') throw new SecretsInputError(`secret '${name}' must be a string`);
    out[name] = value;
  }
  return out;
}

function isCompleteJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
