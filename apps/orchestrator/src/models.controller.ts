import { Body, Controller, Get, NotFoundException, Param, Post, Put, Query, Res, UseGuards } from '@nestjs/common';
import { ApiCaller, ZodValidationPipe } from '@vigil/common';
import type { ModelDeployed } from '@vigil/contracts';
import { randomUUID } from 'node:crypto';
import { PolicyOverride, policyOverrideSchema, ResolvedPolicy } from './core';
import { ActiveInstanceGuard } from './active-instance.guard';
import type { AuditRow } from './lifecycle.repository';
import { championAtQuerySchema, DeploymentBody, deploymentBodySchema, decisionsLimitQuerySchema } from './models.schema';
import { DeploymentView, IncidentView, ModelsService, ModelView } from './models.service';

/** The part of the platform's response object this controller uses (no @types/express here). */
interface HttpStatusSetter {
  status(code: number): unknown;
}

/** The model registry the lifecycle needs (docs/orchestrator.md "HTTP API"); the active instance serves it, a standby answers 503. */
@Controller('models/:modelId')
@UseGuards(ActiveInstanceGuard)
export class ModelsController {
  constructor(private readonly models: ModelsService) {}

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
    const outcome = await this.models.deploy(deployment, caller);
    response.status(outcome.decisions ? 201 : 202);
    return outcome;
  }

  @Get()
  async model(@Param('modelId') modelId: string): Promise<ModelView> {
    const model = await this.models.model(modelId, Date.now());
    if (!model) throw new NotFoundException(`model ${modelId} is not known`);
    return model;
  }

  @Get('history')
  async history(@Param('modelId') modelId: string): Promise<{ modelId: string; deployments: DeploymentView[] }> {
    return { modelId, deployments: await this.models.history(modelId) };
  }

  /** "What was in production at date X": the latest deployment at or before X. */
  @Get('champion')
  async champion(
    @Param('modelId') modelId: string,
    @Query('at', new ZodValidationPipe(championAtQuerySchema)) at: number | undefined,
  ): Promise<{ modelId: string; at: string } & DeploymentView> {
    const atMs = at ?? Date.now();
    const champion = await this.models.championAt(modelId, atMs);
    if (!champion) throw new NotFoundException(`no version of ${modelId} was deployed at ${new Date(atMs).toISOString()}`);
    return { modelId, at: new Date(atMs).toISOString(), ...champion };
  }

  @Get('incidents')
  async incidents(@Param('modelId') modelId: string): Promise<{ modelId: string; incidents: IncidentView[] }> {
    return { modelId, incidents: await this.models.incidents(modelId) };
  }

  @Get('decisions')
  async decisions(
    @Param('modelId') modelId: string,
    @Query('limit', new ZodValidationPipe(decisionsLimitQuerySchema)) n: number,
  ): Promise<{ modelId: string; decisions: AuditRow[] }> {
    return { modelId, decisions: await this.models.decisions(modelId, n) };
  }

  @Get('policy')
  policy(@Param('modelId') modelId: string): ResolvedPolicy {
    return this.models.policy(modelId);
  }

  /** Replaces the model's API override (layered over the policy file); returns the resolved policy. */
  @Put('policy')
  async setPolicy(@Param('modelId') modelId: string, @Body(new ZodValidationPipe(policyOverrideSchema)) override: PolicyOverride, @ApiCaller() caller: string) {
    return this.models.setPolicy(modelId, override, caller);
  }
}
