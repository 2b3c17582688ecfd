import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ZodValidationPipe } from '@vigil/common';
import { FleetQuery } from './core';
import { DashboardMetrics } from './dashboard.metrics';
import { fleetQuerySchema, modelQuerySchema } from './dashboard.schema';
import { DashboardService } from './dashboard.service';
import { LiveService } from './live.service';

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
  async fleet(@Query(new ZodValidationPipe(fleetQuerySchema)) q: FleetQuery) {
    const end = this.metrics.apiSeconds.startTimer({ endpoint: 'fleet' });
    try {
      return await this.dashboard.fleet(q);
    } finally {
      end();
    }
  }

  @Get('models/:modelId')
  async model(@Param('modelId') modelId: string, @Query(new ZodValidationPipe(modelQuerySchema)) span: { fromMs?: number; toMs?: number }) {
    const end = this.metrics.apiSeconds.startTimer({ endpoint: 'model' });
    try {
      return await this.dashboard.model(modelId, span);
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
