import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { dockerUnavailableReason } from './docker.js';

const run = promisify(execFile);

/** What `ensureSwarm` found or did: `initialised` only when this test process made the swarm. */
export type SwarmSession = { initialised: boolean; nodeId: string };

async function swarmState(): Promise<{ state: string; manager: boolean; nodeId: string }> {
  const { stdout } = await run(
    'docker',
    ['info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}} {{.Swarm.NodeID}}'],
    { timeout: 10_000 },
  );
  const [state = '', manager = '', nodeId = ''] = stdout.trim().split(' ');
  return { state, manager: manager === 'true', nodeId };
}

/**
 * Why Swarm tests cannot run here (no engine, or an engine that is a swarm
 * worker), or `undefined`. An engine outside any swarm is fine: `ensureSwarm`
 * makes a single-node swarm on loopback.
 */
export async function swarmUnavailableReason(): Promise<string | undefined> {
  const docker = await dockerUnavailableReason();
  if (docker !== undefined) return docker;
  const { state, manager } = await swarmState();
  if (state === 'active' && !manager) return 'the engine is a swarm worker: Swarm tests need a manager';
  if (state !== 'active' && state !== 'inactive') return `the engine's swarm is ${state}`;
  return undefined;
}

/**
 * A single-node swarm on loopback for the tests: `docker swarm init` when the
 * engine is in none (nothing listens beyond 127.0.0.1), else the swarm that
 * is there. Pair with `leaveSwarm` in `afterAll`.
 *
 * @example
 * const swarm = await ensureSwarm();
 * afterAll(() => leaveSwarm(swarm));
 */
export async function ensureSwarm(): Promise<SwarmSession> {
  const before = await swarmState();
  if (before.state === 'active') return { initialised: false, nodeId: before.nodeId };
  await run('docker', ['swarm', 'init', '--advertise-addr', '127.0.0.1', '--listen-addr', '127.0.0.1:2377'], {
    timeout: 60_000,
  });
  return { initialised: true, nodeId: (await swarmState()).nodeId };
}

/** Leaves the swarm only if `ensureSwarm` made it. */
export async function leaveSwarm(session: SwarmSession | undefined): Promise<void> {
  if (!session?.initialised) return;
  await run('docker', ['swarm', 'leave', '--force'], { timeout: 60_000 });
}
