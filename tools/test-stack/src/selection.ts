/**
 * Which servers the integration tests run against, chosen by VIGIL_TEST_STACK (README
 * "Tests"): `native` (the default) is the local stack of infra/up.sh; `containers` starts
 * Kafka, the registry and ClickHouse from images through testcontainers; `auto` takes
 * containers when a Docker engine answers, else native. No I/O here: the engine probe is
 * passed in, and is only called when the choice depends on it.
 */

export const TEST_STACK_VARIABLE = 'VIGIL_TEST_STACK';
export const TEST_STACK_REQUESTS = ['native', 'containers', 'auto'] as const;
export type TestStackRequest = (typeof TEST_STACK_REQUESTS)[number];
export type TestStack = 'native' | 'containers';

/** What probing for a container engine found. */
export type DockerProbe = { answers: true } | { answers: false; reason: string };

export interface TestStackChoice {
  stack: TestStack;
  /** One line for the test run's output: what was chosen and why. */
  why: string;
}

function isRequest(value: string): value is TestStackRequest {
  return (TEST_STACK_REQUESTS as readonly string[]).includes(value);
}

export async function selectTestStack(value: string | undefined, probeDocker: () => Promise<DockerProbe>): Promise<TestStackChoice> {
  const requested = value === undefined || value.trim() === '' ? 'native' : value.trim();
  if (!isRequest(requested)) {
    throw new Error(`${TEST_STACK_VARIABLE}=${value}: expected one of ${TEST_STACK_REQUESTS.join(', ')}`);
  }
  if (requested === 'native') {
    const asked = value?.trim() ? `${TEST_STACK_VARIABLE}=native` : `${TEST_STACK_VARIABLE} unset (native)`;
    return { stack: 'native', why: `${asked}: the local stack of infra/up.sh` };
  }
  const docker = await probeDocker();
  if (docker.answers) return { stack: 'containers', why: `${TEST_STACK_VARIABLE}=${requested}: a Docker engine answers, servers from images (testcontainers)` };
  if (requested === 'auto') return { stack: 'native', why: `${TEST_STACK_VARIABLE}=auto: no Docker engine answers (${docker.reason}), the local stack of infra/up.sh` };
  throw new Error(
    `${TEST_STACK_VARIABLE}=containers, but no Docker engine answers (${docker.reason}). ` +
      `Start Docker (or point DOCKER_HOST at an engine), or use the local stack: ${TEST_STACK_VARIABLE}=native (the default)`,
  );
}
