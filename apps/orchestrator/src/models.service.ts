import { Injectable } from '@nestjs/common';
import type { ModelDeployed } from '@vigil/contracts';
import { championAt, Decision, IncidentRecord, PolicyOverride, previousChampion, ResolvedPolicy } from './core';
import { AuditRow, DeploymentRow, IncidentRow, LifecycleRepository } from './lifecycle.repository';
import { LifecycleService } from './lifecycle.service';
import { LifecycleStream } from './lifecycle.stream';

/** How long a deployment made over HTTP waits for the consumer to decide on it. */
const DEPLOYMENT_WAIT_MS = 10_000;

/** One deployment as the HTTP API shows it (docs/orchestrator.md "HTTP API"). */
export interface DeploymentView {
  version: string;
  deployedAt: string;
  reason: string;
  incidentId: string | null;
  artifactUri: string | null;
  eventId: string;
  changedBy: string;
}

export interface IncidentView {
  incidentId: string;
  modelVersion: string;
  action: IncidentRow['action'];
  status: IncidentRow['status'];
  requestStatus: IncidentRow['request_status'];
  openingEventId: string;
  openedAt: string;
  closedAt: string | null;
  resolution: string;
  policy: string;
  reason: string;
  requestEventId: string;
}

export interface ModelView {
  modelId: string;
  champion: DeploymentView | null;
  previous: DeploymentView | null;
  versions: { version: string; deployments: DeploymentView[] }[];
  openIncidents: (Omit<IncidentRecord, 'openedAt'> & { openedAt: string })[];
  policy: ResolvedPolicy;
}

export interface DeploymentOutcome {
  deployment: Omit<ModelDeployed, 'deployedAt'> & { deployedAt: string; changedBy: string };
  /** The engine's decisions on it; null while it is still on its way through Kafka. */
  decisions: Decision[] | null;
}

function deploymentView(row: DeploymentRow): DeploymentView {
  return {
    version: row.version,
    deployedAt: new Date(row.deployed_at_ms).toISOString(),
    reason: row.reason,
    incidentId: row.incident_id,
    artifactUri: row.artifact_uri,
    eventId: row.event_id,
    changedBy: row.changed_by,
  };
}

function incidentView(r: IncidentRow): IncidentView {
  return {
    incidentId: r.incident_id,
    modelVersion: r.model_version,
    action: r.action,
    status: r.status,
    requestStatus: r.request_status,
    openingEventId: r.opening_event_id,
    openedAt: new Date(r.opened_at_ms).toISOString(),
    closedAt: r.closed_at_ms > 0 ? new Date(r.closed_at_ms).toISOString() : null,
    resolution: r.resolution,
    policy: r.policy,
    reason: r.reason,
    requestEventId: r.request_event_id,
  };
}

/** The model registry behind the HTTP API: the service state, the repository and the Kafka edge, for ModelsController. */
@Injectable()
export class ModelsService {
  constructor(
    private readonly lifecycle: LifecycleService,
    private readonly repository: LifecycleRepository,
    private readonly stream: LifecycleStream,
  ) {}

  /** Publishes a ModelDeployed and waits (up to 10 s) for the consumer to decide on it. */
  async deploy(deployment: ModelDeployed, changedBy: string): Promise<DeploymentOutcome> {
    const handled = this.lifecycle.awaitHandled(deployment.eventId, DEPLOYMENT_WAIT_MS);
    await this.stream.publishDeployment(deployment, changedBy);
    const result = await handled;
    return { deployment: { ...deployment, deployedAt: deployment.deployedAt.toISOString(), changedBy }, decisions: result?.decisions ?? null };
  }

  /** The model's champion, previous champion, versions, open incidents and policy; null when it is not known. */
  async model(modelId: string, now: number): Promise<ModelView | null> {
    const history = await this.repository.deployments(modelId);
    const state = this.lifecycle.state(modelId);
    if (history.length === 0 && !state) return null;
    const records = history.map((r) => ({ eventId: r.event_id, version: r.version, deployedAt: r.deployed_at_ms, reason: r.reason, incidentId: r.incident_id }));
    const champion = championAt(records, now);
    const previous = champion ? previousChampion(records, champion) : null;
    const versions = new Map<string, { version: string; deployments: DeploymentView[] }>();
    for (const row of history) {
      const entry = versions.get(row.version) ?? { version: row.version, deployments: [] };
      entry.deployments.push(deploymentView(row));
      versions.set(row.version, entry);
    }
    return {
      modelId,
      champion: champion ? deploymentView(history.find((r) => r.event_id === champion.eventId)!) : null,
      previous: previous ? deploymentView(history.find((r) => r.event_id === previous.eventId)!) : null,
      versions: [...versions.values()],
      openIncidents: (state?.openIncidents ?? []).map((i) => ({ ...i, openedAt: new Date(i.openedAt).toISOString() })),
      policy: this.lifecycle.policyFor(modelId),
    };
  }

  async history(modelId: string): Promise<DeploymentView[]> {
    return (await this.repository.deployments(modelId)).map(deploymentView);
  }

  /** "What was in production at date X": the latest deployment at or before X. */
  async championAt(modelId: string, atMs: number): Promise<DeploymentView | null> {
    const row = await this.repository.championAt(modelId, atMs);
    return row ? deploymentView(row) : null;
  }

  async incidents(modelId: string): Promise<IncidentView[]> {
    return (await this.repository.incidents(modelId)).map(incidentView);
  }

  /** The audit rows as stored: their snake_case names are the documented wire format of GET .../decisions. */
  decisions(modelId: string, limit: number): Promise<AuditRow[]> {
    return this.repository.decisions(modelId, limit);
  }

  policy(modelId: string): ResolvedPolicy {
    return this.lifecycle.policyFor(modelId);
  }

  setPolicy(modelId: string, override: PolicyOverride, changedBy: string): Promise<ResolvedPolicy> {
    return this.lifecycle.setPolicy(modelId, override, changedBy);
  }
}
