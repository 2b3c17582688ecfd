import { BadRequestException, Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import Joi from 'joi';
import { FLEET_SORT_KEYS, FleetQuery } from './core';
import { DashboardMetrics } from './dashboard.metrics';
import { DashboardService } from './dashboard.service';
import { LiveService } from './live.service';

const fleetQuery = Joi.object({
  search: Joi.string().allow('').max(200).default(''),
  status: Joi.string().valid('', 'healthy', 'degraded', 'incident').default(''),
  sort: Joi.string()
    .valid(...FLEET_SORT_KEYS)
    .default('status'),
  order: Joi.string().valid('asc', 'desc').default('desc'),
  offset: Joi.number().integer().min(0).default(0),
  limit: Joi.number().integer().min(1).max(500).default(50),
});

const modelQuery = Joi.object({ from: Joi.date().iso(), to: Joi.date().iso().min(Joi.ref('from')) });

function validated<T>(schema: Joi.ObjectSchema, input: unknown): T {
  const { error, value } = schema.validate(input, { abortEarly: false, convert: true });
  if (error) throw new BadRequestException(error.message);
  return value as T;
}

/** The parts of the platform's request and response a server-sent event stream uses (no @types/express here). */
interface StreamResponse {
  writeHead(status: number, headers: Record<string, string>): unknown;
  write(chunk: string): boolean;
  end(): unknown;
  flushHeaders?: () => void;
}
interface ClosableRequest {
  on(event: 'close', listener: () => void): unknown;
}

/** Heartbeat of the live stream, so proxies keep an idle connection open. */
const HEARTBEAT_MS = 15_000;

/** The dashboard's read API (docs/dashboard.md "API"): GET only, behind a read token like every guarded route. */
@Controller('api')
export class DashboardController {
  constructor(
    private readonly dashboard: DashboardService,
    private readonly live: LiveService,
    private readonly metrics: DashboardMetrics,
  ) {}

  @Get('fleet')
  async fleet(@Query() raw: Record<string, string>) {
    const q = validated<{ search: string; status: FleetQuery['status']; sort: FleetQuery['sort']; order: 'asc' | 'desc'; offset: number; limit: number }>(fleetQuery, raw);
    const end = this.metrics.apiSeconds.startTimer({ endpoint: 'fleet' });
    try {
      return await this.dashboard.fleet({ search: q.search, status: q.status, sort: q.sort, descending: q.order === 'desc', offset: q.offset, limit: q.limit });
    } finally {
      end();
    }
  }

  @Get('models/:modelId')
  async model(@Param('modelId') modelId: string, @Query() raw: Record<string, string>) {
    const q = validated<{ from?: Date; to?: Date }>(modelQuery, raw);
    const end = this.metrics.apiSeconds.startTimer({ endpoint: 'model' });
    try {
      return await this.dashboard.model(modelId, { fromMs: q.from?.getTime(), toMs: q.to?.getTime() });
    } finally {
      end();
    }
  }

  @Get('incidents/:incidentId')
  async incident(@Param('incidentId') incidentId: string) {
    const end = this.metrics.apiSeconds.startTimer({ endpoint: 'incident' });
    try {
      return await this.dashboard.incident(incidentId);
    } finally {
      end();
    }
  }

  /** Server-sent events: `change` with what changed, `:` comments as heartbeats. Read with fetch (EventSource cannot send the token). */
  @Get('live')
  stream(@Req() request: ClosableRequest, @Res() response: StreamResponse): void {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    response.write(': connected\n\n');
    const unsubscribe = this.live.subscribe((change) => response.write(`event: change\ndata: ${JSON.stringify(change)}\n\n`));
    const heartbeat = setInterval(() => response.write(': heartbeat\n\n'), HEARTBEAT_MS);
    request.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      response.end();
    });
  }
}
