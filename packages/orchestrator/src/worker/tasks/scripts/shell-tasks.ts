import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Task } from '../../../flow/flow-model.js';
import { PROCESS_RUNNER } from '../../../flow/task-types/core-tasks.js';
import { StorageQuota } from '../../../quota/storage-quota.js';
import {
  NonRetryableTaskError,
  type RunContext,
  type RunnableTask,
  type TaskResult,
  TaskTimeoutError,
} from '../../runnable-task.js';
import { renderBoolean, renderString, renderStringList, renderStringMap } from '../kv/render-props.js';
import { buildChildEnv, pickInheritedEnv } from './child-env.js';
import { copyNamespaceFiles, writeInputFiles } from './input-files.js';
import { parseLogLine } from './log-line-protocol.js';
import { runProcess } from './run-process.js';
import { localizeStorageUris, storeOutputFiles } from './storage-files.js';

export type ShellTaskOptions = {
  /**
   * What children inherit from the instance's environment, already filtered.
   * @default pickInheritedEnv(process.env): PATH, HOME, LANG, LC_*, TZ, TMPDIR only
   */
  inheritedEnv?: Record<string, string>;
  /** Time between SIGTERM and SIGKILL of the process group on kill or timeout. @default 2000 */
  killGraceMs?: number;
  /** Keep the working directory after the run (debugging). @default false */
  keepWorkingDir?: boolean;
};

/** Kestra's default shell interpreter (`AbstractExecScript.interpreter`). */
const DEFAULT_INTERPRETER = ['/bin/sh', '-c'];

/**
 * Builds the shell tasks `io.kestra.plugin.scripts.shell.Commands` and
 * `io.kestra.plugin.scripts.shell.Script`, run as local processes:
 * - `commands` (Commands) or `script` (Script), `beforeCommands`, `env`,
 *   `interpreter` (default `['/bin/sh', '-c']`), `failFast` (default true: `set -e` first);
 * - one working directory per attempt under `dataDir/workdirs/`, removed after (inside a
 *   WorkingDirectory task, its shared folder `{{ workingDir }}`, removed when the execution ends);
 * - `namespaceFiles` (enabled, include, exclude, namespaces, folderPerNamespace) then `inputFiles`
 *   (path → text or `kestra://` URI) are written into the working directory first;
 * - `kestra:///` URIs in the commands or script become local copies in the working directory;
 *   `outputFiles` globs store the matching files: `outputs.outputFiles` maps each path to its URI;
 * - stdout lines are INFO logs, stderr lines ERROR logs (Kestra 1.x);
 *   `::{"outputs":{...}}::` lines set outputs and `::{"logs":[...]}::` lines log;
 * - outputs `{ exitCode, vars }`; an exit code other than 0 fails the attempt
 *   with `Command failed with exit code N`;
 * - abort (kill, timeout) kills the process group.
 *
 * @example
 * const { commands, script } = createShellTasks();
 * registry.register(commands); registry.register(script);
 */
export function createShellTasks(options: ShellTaskOptions = {}): {
  commands: RunnableTask;
  script: RunnableTask;
} {
  const inheritedEnv = options.inheritedEnv ?? pickInheritedEnv(process.env);
  return {
    commands: {
      type: 'io.kestra.plugin.scripts.shell.Commands',
      run: async (task, ctx) => {
        const commands = renderStringList(ctx, task.props, 'commands');
        if (commands === undefined || commands.length === 0) {
          throw new NonRetryableTaskError("Property 'commands' is required and must not be empty");
        }
        return runShell(task, ctx, options, inheritedEnv, (workingDir) =>
          Promise.all(commands.map((c) => localizeStorageUris(c, workingDir, ctx.dataDir))),
        );
      },
    },
    script: {
      type: 'io.kestra.plugin.scripts.shell.Script',
      run: async (task, ctx) => {
        const script = renderString(ctx, task.props, 'script');
        return runShell(task, ctx, options, inheritedEnv, async (workingDir, interpreter) => {
          const file = join(workingDir, 'script.sh');
          const text = await localizeStorageUris(script, workingDir, ctx.dataDir);
          await writeFile(file, text.endsWith('\n') ? text : `${text}\n`, { mode: 0o700 });
          return [`${shellQuote(interpreter[0] ?? '/bin/sh')} ${shellQuote(file)}`];
        });
      },
    },
  };
}

async function runShell(
  task: Task,
  ctx: RunContext,
  options: ShellTaskOptions,
  inheritedEnv: Record<string, string>,
  body: (workingDir: string, interpreter: string[]) => Promise<string[]>,
): Promise<TaskResult> {
  const runner = (task.props.taskRunner as { type?: unknown } | undefined)?.type;
  if (runner !== undefined && runner !== PROCESS_RUNNER)
    throw new NonRetryableTaskError(
      `Task runner '${String(runner)}' is not available: scripts run as local processes`,
    );
  const interpreter = renderStringList(ctx, task.props, 'interpreter') ?? DEFAULT_INTERPRETER;
  if (interpreter.length === 0) throw new NonRetryableTaskError("Property 'interpreter' must not be empty");
  const beforeCommands = renderStringList(ctx, task.props, 'beforeCommands') ?? [];
  const failFast = renderBoolean(ctx, task.props, 'failFast', true);
  const env = buildChildEnv(inheritedEnv, renderStringMap(ctx, task.props, 'env'));
  // Inside a WorkingDirectory task the folder is shared (and kept for the next tasks); else one per attempt.
  const shared = typeof ctx.variables.workingDir === 'string' ? ctx.variables.workingDir : undefined;
  const workingDir =
    shared ?? join(ctx.dataDir, 'workdirs', ctx.executionId, `${ctx.taskRunId}-${ctx.attempt}`);
  await mkdir(workingDir, { recursive: true });
  try {
    // Kestra's order: namespace files first, then inputFiles (which may replace one of them).
    if (task.props.namespaceFiles !== undefined)
      await copyNamespaceFiles(ctx, task.props.namespaceFiles, workingDir);
    if (task.props.inputFiles !== undefined) await writeInputFiles(ctx, task.props.inputFiles, workingDir);
    const quota = StorageQuota.of(ctx.dataDir);
    const lines = [
      // The storage quota: no file the task writes may grow past the room left (RLIMIT_FSIZE, 512-byte blocks).
      ...(quota ? [`ulimit -f ${Math.floor(quota.remainingBytes() / 512)}`] : []),
      ...(failFast ? ['set -e'] : []),
      ...beforeCommands,
      ...(await body(workingDir, interpreter)),
    ];
    const vars: Record<string, unknown> = {};
    const result = await runProcess({
      argv: [...interpreter, lines.join('\n')],
      cwd: workingDir,
      env,
      signal: ctx.signal,
      ...(options.killGraceMs !== undefined && { killGraceMs: options.killGraceMs }),
      onLine(line, stream) {
        let match: ReturnType<typeof parseLogLine>;
        try {
          match = parseLogLine(line);
        } catch (e) {
          ctx.log('WARN', `Invalid outputs '${(e as Error).message}'`);
          match = undefined;
        }
        if (match === undefined) {
          ctx.log(stream === 'stderr' ? 'ERROR' : 'INFO', line);
          return;
        }
        Object.assign(vars, match.outputs);
        for (const log of match.logs) ctx.log(log.level, log.message);
      },
    }).catch((err: NodeJS.ErrnoException) => {
      throw new NonRetryableTaskError(`Cannot start interpreter '${interpreter[0]}': ${err.message}`, {
        cause: err,
      });
    });
    if (result.aborted) {
      const reason: unknown = ctx.signal.reason;
      if (reason instanceof Error) throw reason;
      throw new TaskTimeoutError(task.id, task.timeoutMs ?? 0);
    }
    if (quota !== undefined) {
      quota.remeasure();
      // 153 = 128 + SIGXFSZ: the shell's child met the file size limit.
      const hitLimit = result.signal === 'SIGXFSZ' || result.exitCode === 153;
      const over = quota.exceeded('a file written by the task');
      if (hitLimit || over) {
        throw new NonRetryableTaskError(
          over?.message ??
            `Insufficient Storage: a file written by the task reached the tenant's storage quota of ${quota.limitMb} MB (storageMb)`,
        );
      }
    }
    if (result.exitCode !== 0) {
      const code = result.exitCode ?? (result.signal ? `null (killed by ${result.signal})` : 'null');
      throw new Error(`Command failed with exit code ${code}`);
    }
    const globs = renderStringList(ctx, task.props, 'outputFiles');
    const outputFiles =
      globs === undefined
        ? undefined
        : await storeOutputFiles(globs, workingDir, ctx.dataDir, [
            ...ctx.namespace.split('.'),
            ctx.flowId,
            'executions',
            ctx.executionId,
            'tasks',
            task.id,
            ctx.taskRunId,
          ]);
    return { outputs: { exitCode: 0, vars, ...(outputFiles ? { outputFiles } : {}) } };
  } finally {
    if (!options.keepWorkingDir && shared === undefined)
      await rm(workingDir, { recursive: true, force: true });
    StorageQuota.of(ctx.dataDir)?.remeasure();
  }
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
