import { DockerProbe, selectTestStack } from './selection';

/** A probe that records whether it was asked. */
function probe(result: DockerProbe) {
  const calls: number[] = [];
  return {
    calls,
    run: async (): Promise<DockerProbe> => {
      calls.push(1);
      return result;
    },
  };
}
const engine: DockerProbe = { answers: true };
// The message testcontainers 11.14 gives on this machine (docker CLI, no engine).
const noEngine: DockerProbe = { answers: false, reason: 'Could not find a working container runtime strategy' };

describe('selectTestStack', () => {
  it('runs the native stack when nothing is asked, without probing Docker', async () => {
    for (const value of [undefined, '', ' ']) {
      const docker = probe(engine);
      expect(await selectTestStack(value, docker.run)).toEqual({ stack: 'native', why: 'VIGIL_TEST_STACK unset (native): the local stack of infra/up.sh' });
      expect(docker.calls).toEqual([]);
    }
    const docker = probe(engine);
    expect(await selectTestStack('native', docker.run)).toEqual({ stack: 'native', why: 'VIGIL_TEST_STACK=native: the local stack of infra/up.sh' });
    expect(docker.calls).toEqual([]);
  });

  it('auto: containers when an engine answers, native when none does, saying why', async () => {
    expect(await selectTestStack('auto', probe(engine).run)).toEqual({
      stack: 'containers',
      why: 'VIGIL_TEST_STACK=auto: a Docker engine answers, servers from images (testcontainers)',
    });
    expect(await selectTestStack('auto', probe(noEngine).run)).toEqual({
      stack: 'native',
      why: 'VIGIL_TEST_STACK=auto: no Docker engine answers (Could not find a working container runtime strategy), the local stack of infra/up.sh',
    });
  });

  it('containers: containers when an engine answers, a clear error when none does', async () => {
    expect((await selectTestStack('containers', probe(engine).run)).stack).toBe('containers');
    await expect(selectTestStack('containers', probe(noEngine).run)).rejects.toThrow(
      'VIGIL_TEST_STACK=containers, but no Docker engine answers (Could not find a working container runtime strategy). ' +
        'Start Docker (or point DOCKER_HOST at an engine), or use the local stack: VIGIL_TEST_STACK=native (the default)',
    );
  });

  it('refuses an unknown value, naming the allowed ones, before probing', async () => {
    const docker = probe(engine);
    await expect(selectTestStack('docker', docker.run)).rejects.toThrow('VIGIL_TEST_STACK=docker: expected one of native, containers, auto');
    expect(docker.calls).toEqual([]);
  });
});
