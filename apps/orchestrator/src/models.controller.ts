import { Body, Controller, Get, NotFoundException, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiCaller, ZodValidationPipe } from '@vigil/common';
import type { ModelDeployed } from '@vigil/contracts';
import { randomUUID } from 'node:crypto';
import { championAt, policyOverrideSchema, PolicyOverride, previousChampion } from './core';
import { DeploymentRow, LifecycleRepository } from './lifecycle.repository';
import { LifecycleService } from './lifecycle.service';
import { LifecycleStream } from './lifecycle.stream';
import { championAtQuerySchema, DeploymentBody, deploymentBodySchema, decisionsLimitQuerySchema } from './models.schema';

/** The part of the platform's response object this controller uses (no @types/express here). */
interface HttpStatusSetter {
  status(code: number): unknown;
}

function deploymentView(row: DeploymentRow) {
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

/** The model registry the lifecycle needs (docs/orchestrator.md "HTTP API"). */
@Controller('models/:modelId')
export class ModelsController {
  constructor(
    private readonly lifecycle: LifecycleService,
    private readonly repository: LifecycleRepository,
    private readonly stream: LifecycleStream,
  ) {}

  /**
   * Publishes a ModelDeployed event and waits (up to 10 s) for the consumer to handle
   * it: 201 with the decisions, or 202 if it is still on its way.
   */
  @Post('deployments')
  async deploy(
    @Param('modelId') modelId: string,
    @Body(new ZodValidationPipe(deploymentBodySchema)) v: DeploymentBody,
    @Res({ passthrough: true }) response: HttpStatusSetter,
    @ApiCaller() caller: string,
  ) {
    const deployment: ModelDeployed = {
      eventId: v.eventId ?? randomUUID(),
      modelId,
      version: v.version,
      deployedAt: v.deployedAt ?? new Date(),
      reason: v.reason,
      incidentId: v.incidentId,
      artifactUri: v.artifactUri,
    };
    const handled = this.lifecycle.awaitHandled(deployment.eventId, 10_000);
    await this.stream.publishDeployment(deployment, caller);
    const result = await handled;
    response.status(result ? 201 : 202);
    return { deployment: { ...deployment, deployedAt: deployment.deployedAt.toISOString(), changedBy: caller }, decisions: result?.decisions ?? null };
  }

  @Get()
  async model(@Param('modelId') modelId: string) {
    const history = await this.repository.deployments(modelId);
    const state = this.lifecycle.state(modelId);
    if (history.length === 0 && !state) throw new NotFoundException(`model ${modelId} is not known`);
    const records = history.map((r) => ({ eventId: r.event_id, version: r.version, deployedAt: r.deployed_at_ms, reason: r.reason, incidentId: r.incident_id }));
    const champion = championAt(records, Date.now());
    const previous = champion ? previousChampion(records, champion) : null;
    const versions = new Map<string, { version: string; deployments: ReturnType<typeof deploymentView>[] }>();
    for (const row of history) {
      const entry = versions.get(row.version) ?? { version: row.version, deployments: [] };
      entry.deployments.push(deploymentView(row));
      versions.set(row.version, entry);
    }
    const resolved = this.lifecycle.policyFor(modelId);
    return {
      modelId,
      champion: champion ? deploymentView(history.find((r) => r.event_id === champion.eventId)!) : null,
      previous: previous ? deploymentView(history.find((r) => r.event_id === previous.eventId)!) : null,
      versions: [...versions.values()],
      openIncidents: (state?.openIncidents ?? []).map((i) => ({ ...i, openedAt: new Date(i.openedAt).toISOString() })),
      policy: resolved,
    };
  }

  @Get('history')
  async history(@Param('modelId') modelId: string) {
    return { modelId, deployments: (await this.repository.deployments(modelId)).map(deploymentView) };
  }

  /** "What was in production at date X": the latest deployment at or before X. */
  @Get('champion')
  async champion(@Param('modelId') modelId: string, @Query('at', new ZodValidationPipe(championAtQuerySchema)) at: number | undefined) {
    const atMs = at ?? Date.now();
    const row = await this.repository.championAt(modelId, atMs);
    if (!row) throw new NotFoundException(`no version of ${modelId} was deployed at ${new Date(atMs).toISOString()}`);
    return { modelId, at: new Date(atMs).toISOString(), ...deploymentView(row) };
  }

  @Get('incidents')
  async incidents(@Param('modelId') modelId: string) {
    const rows = await this.repository.incidents(modelId);
    return {
      modelId,
      incidents: rows.map((r) => ({
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
      })),
    };
  }

  @Get('decisions')
  async decisions(@Param('modelId') modelId: string, @Query('limit', new ZodValidationPipe(decisionsLimitQuerySchema)) n: number) {
    return { modelId, decisions: await this.repository.decisions(modelId, n) };
  }

  @Get('policy')
  policy(@Param('modelId') modelId: string) {
    return this.lifecycle.policyFor(modelId);
  }

  /** Replaces the model's API override (layered over the policy file); returns the resolved policy. */
  @Put('policy')
  async setPolicy(@Param('modelId') modelId: string, @Body(new ZodValidationPipe(policyOverrideSchema)) override: PolicyOverride, @ApiCaller() caller: string) {
    return this.lifecycle.setPolicy(modelId, override, caller);
  }
}
