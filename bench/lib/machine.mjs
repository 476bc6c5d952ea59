import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** What the figures were measured on: they mean nothing without it. */
export function describeMachine() {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) cpuModel = line.split(':')[1].trim();
  } catch {}
  let dockerVersion = null;
  try {
    dockerVersion = execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], {
      timeout: 5_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .toString()
      .trim();
  } catch {}
  return {
    cpuModel,
    cores: os.cpus().length,
    memoryBytes: os.totalmem(),
    kernel: `${os.type()} ${os.release()}`,
    arch: os.arch(),
    node: process.version,
    docker: dockerVersion,
    loadAverage: os.loadavg(),
  };
}
