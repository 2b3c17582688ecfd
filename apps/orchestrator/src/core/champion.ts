import type { DeploymentRecord } from './state';

/**
 * The champion at time t is the latest deployment at or before t (ties: the one
 * recorded last). Deployments are append-only, so history is never rewritten.
 */
export function championAt(deployments: readonly DeploymentRecord[], at: number): DeploymentRecord | null {
  let champion: DeploymentRecord | null = null;
  for (const deployment of deployments) {
    if (deployment.deployedAt <= at && (champion === null || deployment.deployedAt >= champion.deployedAt)) {
      champion = deployment;
    }
  }
  return champion;
}

/**
 * The version that served before `current`: the latest earlier deployment of a
 * different version (deployments are kept in (deployedAt, arrival) order).
 */
export function previousChampion(deployments: readonly DeploymentRecord[], current: DeploymentRecord): DeploymentRecord | null {
  const index = deployments.indexOf(current);
  const earlier = deployments.slice(0, index < 0 ? deployments.length : index).filter((d) => d.version !== current.version);
  return championAt(earlier, current.deployedAt);
}
