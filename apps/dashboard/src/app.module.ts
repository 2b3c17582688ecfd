import { Module, OnModuleInit } from '@nestjs/common';
import { HealthRegistry, OpsModule } from '@vigil/common';
import { StorageModule } from '@vigil/storage';
import { DASHBOARD_CONFIG, loadDashboardConfig } from './dashboard.config';
import { DashboardController } from './dashboard.controller';
import { DashboardMetrics } from './dashboard.metrics';
import { DashboardRepository } from './dashboard.repository';
import { DashboardService } from './dashboard.service';
import { LiveService } from './live.service';
import { WebController } from './web.controller';

@Module({
  imports: [
    OpsModule,
    // Reads only: the schema is the writers' (ingestor, monitor, orchestrator), who migrate it.
    StorageModule.forRoot({ migrate: false }),
  ],
  controllers: [DashboardController, WebController],
  providers: [{ provide: DASHBOARD_CONFIG, useFactory: () => loadDashboardConfig() }, DashboardRepository, DashboardMetrics, DashboardService, LiveService],
})
export class DashboardModule implements OnModuleInit {
  constructor(
    private readonly repository: DashboardRepository,
    private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.health.register('clickhouse', async () => {
      try {
        return { status: (await this.repository.ping()) ? 'up' : 'down' };
      } catch (error) {
        return { status: 'down', error: (error as Error).message };
      }
    });
  }
}
