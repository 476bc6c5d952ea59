import { DockerDriver } from '@silo/gateway';
import { runtimeDriverContract } from '@silo/gateway/testing';
import Docker from 'dockerode';
import { describeDocker, dockerUnavailableReason } from '../helpers/docker.js';
import { testImage } from './orchestrator-image.js';

const reason = await dockerUnavailableReason();
const image = reason === undefined ? await testImage() : undefined;

describeDocker(reason, 'the Docker driver', () => {
  const docker = new Docker();
  runtimeDriverContract('docker', () => new DockerDriver({ image: image?.tag, build: false }), {
    readyTimeoutMs: 30_000,
    graceMs: 5_000,
    killFromOutside: async (status) => {
      await docker.getContainer(String(status.ref)).kill();
    },
    watchSettleMs: 300,
  });
});
