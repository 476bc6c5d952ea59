import { Command, Option } from 'commander';
import Docker from 'dockerode';
import { ensureOrchestratorImage } from '../images/image-builder.js';

/**
 * `silo image build`: builds `silo-orchestrator:<version>` by the path it
 * picks itself (pull `node:20-bookworm-slim` if it can, else offline from
 * this host's Node), shows progress, and reuses an image whose content hash
 * matches unless `--force`. Registered by `cli/silo.ts`.
 *
 * @example
 * silo image build              # auto
 * silo image build --offline    # never try a registry
 * silo image build --json       # { tag, id, path, built, seconds, ... }
 */
export function imageCommand(): Command {
  const build = new Command('build')
    .description('build the orchestrator image (pull if possible, else offline from this host’s Node.js)')
    .addOption(new Option('--path <path>', 'build path').choices(['auto', 'pull', 'offline']).default('auto'))
    .option('--offline', 'same as --path offline: never try a registry')
    .option('--gateway', 'build the gateway image (silo-gateway) instead of the tenant image')
    .option('--force', 'rebuild even when an image with the same content exists')
    .option('--json', 'print the result as JSON (progress goes to stderr)')
    .action(
      async (opts: {
        path: 'auto' | 'pull' | 'offline';
        gateway?: boolean;
        offline?: boolean;
        force?: boolean;
        json?: boolean;
      }) => {
        const say = (line: string) => (opts.json ? process.stderr : process.stdout).write(`${line}\n`);
        const image = await ensureOrchestratorImage(new Docker(), {
          path: opts.offline ? 'offline' : opts.path,
          target: opts.gateway ? 'gateway' : 'orchestrator',
          force: opts.force ?? false,
          onProgress: say,
        });
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(image, null, 2)}\n`);
        } else {
          say(
            `${image.tag} ${image.built ? 'built' : 'reused'} (${image.path}, ${image.id.slice(7, 19)}) in ${image.seconds.toFixed(1)} s`,
          );
        }
      },
    );
  return new Command('image').description('the orchestrator image (Docker runtime)').addCommand(build);
}
