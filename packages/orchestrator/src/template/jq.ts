import { createRequire } from 'node:module';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { FilterFailure } from './call-args.js';

/**
 * Kestra's `jq` filter with the real jq (jq 1.7, the `jq-web` WebAssembly
 * build): answers the list of every result of `expression` on `input`, as
 * Kestra does (`{{ x | jq('.a') | first }}`).
 *
 * Templates render synchronously and jq-web only loads asynchronously, so jq
 * runs in a worker thread that the first `jq` call starts; each call waits on
 * it (Atomics.wait, bounded by JQ_TIMEOUT_MS) and reads its reply with
 * `receiveMessageOnPort`. An instance whose flows never call `jq` never loads
 * it (no cold start or idle memory spent on it); a program that runs too long
 * is cut off (the worker is dropped, the next call starts a new one).
 *
 * @example
 * ```ts
 * jq({ meta: { next: 'x' } }, '.meta | has("next")'); // [true]
 * ```
 */
export function jq(input: unknown, expression: string): unknown[] {
  const json = JSON.stringify(input ?? null);
  const key = IMPURE.test(expression) || json.length > MEMO_MAX_INPUT ? undefined : `${expression}\0${json}`;
  let out = key === undefined ? undefined : memo.get(key);
  if (out === undefined) {
    out = run(json, expression);
    if (key !== undefined) {
      if (memo.size >= MEMO_SIZE) memo.delete(memo.keys().next().value as string);
      memo.set(key, out);
    }
  }
  return out
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as unknown);
}

/** Bound on one jq call. */
export const JQ_TIMEOUT_MS = 3_000;
/** Added to the first call of a worker: it loads jq (about 0.2 s, more on a loaded machine). */
const JQ_LOAD_MS = 20_000;

/**
 * One jq call costs ~10 ms (jq compiles its builtins on every run), so the
 * answers of pure programs on small inputs are kept (a loop that runs the
 * same `jq` on each iteration pays once).
 */
const memo = new Map<string, string>();
const MEMO_SIZE = 128;
const MEMO_MAX_INPUT = 64 * 1024;
/** Builtins whose answer is not a function of the input and the program alone. */
const IMPURE = /\b(now|env|ENV|input|inputs|input_filename|debug|stderr|halt|halt_error|\$__loc__)\b/;

type Bridge = { worker: Worker; signal: Int32Array; replies: MessagePort; loaded: boolean };
type Reply = { ok: true; out: string } | { ok: false; message: string };

let bridge: Bridge | undefined;

function run(json: string, expression: string): string {
  bridge ??= startBridge();
  const b = bridge;
  Atomics.store(b.signal, 0, 0);
  b.worker.postMessage({ json, expression });
  const bound = JQ_TIMEOUT_MS + (b.loaded ? 0 : JQ_LOAD_MS);
  if (Atomics.wait(b.signal, 0, 0, bound) === 'timed-out') {
    bridge = undefined;
    void b.worker.terminate();
    throw new FilterFailure(`jq expression '${expression}' ran longer than ${JQ_TIMEOUT_MS} ms`, 'LIMIT');
  }
  b.loaded = true;
  const reply = receiveMessageOnPort(b.replies)?.message as Reply | undefined;
  if (!reply) throw new FilterFailure(`jq expression '${expression}' gave no answer`);
  if (!reply.ok) throw new FilterFailure(`Unable to run jq expression '${expression}': ${reply.message}`);
  return reply.out;
}

/** The worker's code (CommonJS): loads jq-web once, then answers each call on the reply port and wakes the caller. */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const signal = new Int32Array(workerData.signal);
const replies = workerData.replies;
const loading = require(workerData.jqPath);
parentPort.on('message', async ({ json, expression }) => {
  let reply;
  try {
    const jq = await loading;
    reply = { ok: true, out: jq.raw(json, expression, ['-c']) ?? '' };
  } catch (e) {
    const text = String((e && (e.stderr || e.message)) || e);
    reply = { ok: false, message: text.replace(/^Non-zero exit code: \\d+\\n?/, '').split('\\n')[0] };
  }
  replies.postMessage(reply);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
`;

function startBridge(): Bridge {
  const jqPath = createRequire(import.meta.url).resolve('jq-web');
  const shared = new SharedArrayBuffer(4);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { jqPath, signal: shared, replies: port2 },
    transferList: [port2],
    // jq's own output goes through the reply port; its stderr (`debug`) is not the instance's log.
    stderr: true,
    stdout: true,
  });
  worker.unref();
  port1.unref();
  worker.stdout.resume();
  worker.stderr.resume();
  worker.on('error', () => {
    if (bridge?.worker === worker) bridge = undefined;
  });
  return { worker, signal: new Int32Array(shared), replies: port1, loaded: false };
}
