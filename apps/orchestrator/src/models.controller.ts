import { BadRequestException, Body, Controller, Get, NotFoundException, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiCaller } from '@vigil/common';
import type { ModelDeployed } from '@vigil/contracts';
import Joi from 'joi';
import { randomUUID } from 'node:crypto';
import { parsePolicyOverride, ResolvedPolicy } from './core';
import type { AuditRow } from './lifecycle.repository';
import { DeploymentView, IncidentView, ModelsService, ModelView } from './models.service';

const deploymentBody = Joi.object({
  eventId: Joi.string(),
  version: Joi.string().min(1).required(),
  deployedAt: Joi.date().iso(),
  reason: Joi.string().valid('initial', 'retrain', 'rollback', 'manual').default('manual'),
  incidentId: Joi.string().allow(null).default(null),
  artifactUri: Joi.string().allow(null).default(null),
});

/** The part of the platform's response object this controller uses (no @types/express here). */
interface HttpStatusSetter {
  status(code: number): unknown;
}

function parseInstant(text: string | undefined, name: string): number {
  const ms = text === undefined ? Date.now() : Date.parse(text);
  if (Number.isNaN(ms)) throw new BadRequestException(`${name}: not an ISO 8601 date: ${JSON.stringify(text)}`);
  return ms;
}

/** The model registry the lifecycle needs (docs/orchestrator.md "HTTP API"). */
@Controller('models/:modelId')
export class ModelsController {
  constructor(private readonly models: ModelsService) {}

  /**
   * Publishes a ModelDeployed event and waits (up to 10 s) for the consumer to handle
   * it: 201 with the decisions, or 202 if it is still on its way.
   */
  @Post('deployments')
  async deploy(
    @Param('modelId') modelId: string,
    @Body() body: unknown,
    @Res({ passthrough: true }) response: HttpStatusSetter,
    @ApiCaller() caller: string,
  ) {
    const { error, value } = deploymentBody.validate(body ?? {}, { abortEarly: false });
    if (error) throw new BadRequestException(error.message);
    const v = value as { eventId?: string; version: string; deployedAt?: Date; reason: string; incidentId: string | null; artifactUri: string | null };
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
  async champion(@Param('modelId') modelId: string, @Query('at') at?: string): Promise<{ modelId: string; at: string } & DeploymentView> {
    const atMs = parseInstant(at, 'at');
    const champion = await this.models.championAt(modelId, atMs);
    if (!champion) throw new NotFoundException(`no version of ${modelId} was deployed at ${new Date(atMs).toISOString()}`);
    return { modelId, at: new Date(atMs).toISOString(), ...champion };
  }

  @Get('incidents')
  async incidents(@Param('modelId') modelId: string): Promise<{ modelId: string; incidents: IncidentView[] }> {
    return { modelId, incidents: await this.models.incidents(modelId) };
  }

  @Get('decisions')
  async decisions(@Param('modelId') modelId: string, @Query('limit') limit?: string): Promise<{ modelId: string; decisions: AuditRow[] }> {
    const n = limit === undefined ? 100 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new BadRequestException('limit: an integer from 1 to 10000');
    return { modelId, decisions: await this.models.decisions(modelId, n) };
  }

  @Get('policy')
  policy(@Param('modelId') modelId: string): ResolvedPolicy {
    return this.models.policy(modelId);
  }

  /** Replaces the model's API override (layered over the policy file); returns the resolved policy. */
  @Put('policy')
  async setPolicy(@Param('modelId') modelId: string, @Body() body: unknown, @ApiCaller() caller: string) {
    let override;
    try {
      override = parsePolicyOverride(body ?? {}, `PUT /models/${modelId}/policy`);
    } catch (error) {
      throw new BadRequestException((error as Error).message);
    }
    return this.models.setPolicy(modelId, override, caller);
  }
}
