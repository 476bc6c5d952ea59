import { ensureOrchestratorImage, type OrchestratorImage } from '@silo/gateway';
import Docker from 'dockerode';

/**
 * The orchestrator image for Docker tests: built offline once per test run
 * (the first file that asks builds it, the others find it by content hash).
 */
let image: Promise<OrchestratorImage> | undefined;
export function testImage(): Promise<OrchestratorImage> {
  image ??= ensureOrchestratorImage(new Docker(), {
    path: 'offline',
    onProgress: (line) => process.stdout.write(`  [image] ${line}\n`),
  });
  return image;
}
