import { BadRequestException, Body, Controller, Get, NotFoundException, Param, Put } from '@nestjs/common';
import { ApiCaller, ZodValidationPipe } from '@vigil/common';
import { ColumnKind, DatasetSummary, DetectorConfigError } from '@vigil/monitoring';
import { ModelConfig, parseConfigOverride } from './core/model-config';
import { PREDICTION_COLUMN } from './core/model-monitor';
import { ModelsService } from './models.service';
import { ReferenceBody, referenceBodySchema } from './reference.schema';

@Controller('models/:modelId')
export class ModelsController {
  constructor(private readonly models: ModelsService) {}

  /** The model's metrics now (every label received is already counted); 404 when another instance owns it. */
  @Get('metrics')
  metrics(@Param('modelId') modelId: string) {
    const metrics = this.models.currentMetrics(modelId);
    if (!metrics) throw new NotFoundException(`model ${modelId} is not owned by this monitor instance (or has sent no event yet)`);
    return metrics;
  }

  @Get('config')
  config(@Param('modelId') modelId: string): Promise<ModelConfig> {
    return this.models.configOf(modelId);
  }

  /** Replaces the model's override (any subset of the configuration); returns the effective configuration. 400 naming the field, nothing saved, when it cannot run. */
  @Put('config')
  async putConfig(@Param('modelId') modelId: string, @Body() body: unknown, @ApiCaller() caller: string): Promise<ModelConfig> {
    let override: Partial<ModelConfig>;
    try {
      override = parseConfigOverride(body);
    } catch (error) {
      throw new BadRequestException((error as Error).message);
    }
    try {
      return await this.models.saveConfig(modelId, override, caller);
    } catch (error) {
      if (error instanceof DetectorConfigError) throw new BadRequestException(error.message);
      throw error;
    }
  }

  @Put('reference')
  async putReference(
    @Param('modelId') modelId: string,
    @Body(new ZodValidationPipe(referenceBodySchema)) body: ReferenceBody,
    @ApiCaller() caller: string,
  ): Promise<{ modelId: string; rows: number; columns: string[] }> {
    const summary = referenceFrom(body);
    const rows = await this.models.saveReference(modelId, summary, caller);
    return { modelId, rows, columns: Object.keys(summary.columns) };
  }
}

/**
 * Rows become a summary with each column's kind taken from its first non-null value
 * (number → numeric, anything else → categorical). The model output goes in the column
 * `@prediction`.
 */
function referenceFrom(body: ReferenceBody): DatasetSummary {
  if (body?.summary) {
    try {
      return DatasetSummary.fromJSON(body.summary);
    } catch (error) {
      throw new BadRequestException(`summary: not a serialised DatasetSummary (${(error as Error).message})`);
    }
  }
  if (!Array.isArray(body?.rows) || body.rows.length === 0) {
    throw new BadRequestException(`send {"rows": [{feature: value, …, "${PREDICTION_COLUMN}": output}, …]} or {"summary": <DatasetSummary JSON>}`);
  }
  const kinds: Record<string, ColumnKind> = {};
  for (const row of body.rows) {
    for (const [name, value] of Object.entries(row)) {
      if (kinds[name] === undefined && value !== null && value !== undefined) kinds[name] = typeof value === 'number' ? 'numeric' : 'categorical';
    }
  }
  const summary = new DatasetSummary(kinds);
  for (const row of body.rows) summary.addRow(row);
  return summary;
}
