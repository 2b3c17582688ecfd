import { ClickHouseClient } from '@clickhouse/client';
import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { loadInfrastructureConfig } from '@vigil/common';
import { ClickHouseSettings, createClickHouse, explainClickHouseFailure } from './clickhouse';
import { migrate } from './migrations';

/** Injection tokens of the storage edge. */
export const CLICKHOUSE = Symbol('ClickHouseClient');
export const CLICKHOUSE_SETTINGS = Symbol('ClickHouseSettings');

/**
 * Creates the database and applies the migrations before any repository is used, the
 * one place they run from (every service, idempotent); a first request that fails on
 * credentials, TLS or the address stops the service with one explanation.
 */
@Injectable()
export class StorageLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(CLICKHOUSE_SETTINGS) private readonly settings: ClickHouseSettings,
    @Inject(CLICKHOUSE) private readonly client: ClickHouseClient,
  ) {}

  async onModuleInit(): Promise<void> {
    try {
      await migrate(this.settings);
    } catch (error) {
      throw explainClickHouseFailure(error, this.settings);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}

/** Closes the client on shutdown, for a reader that must not change the schema (the dashboard). */
@Injectable()
export class StorageReaderLifecycle implements OnApplicationShutdown {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}

export interface StorageOptions {
  /** false: never create the database nor apply migrations (a read-only service that the writers' migrations serve). Default true. */
  migrate?: boolean;
}

/** The ClickHouse client for every repository, from the validated environment (README "Configuration"). */
@Module({})
export class StorageModule {
  static forRoot(options: StorageOptions = {}): DynamicModule {
    return {
      module: StorageModule,
      global: true,
      providers: [
        { provide: CLICKHOUSE_SETTINGS, useFactory: () => loadInfrastructureConfig().clickhouse },
        { provide: CLICKHOUSE, inject: [CLICKHOUSE_SETTINGS], useFactory: (settings: ClickHouseSettings) => createClickHouse(settings) },
        options.migrate === false ? StorageReaderLifecycle : StorageLifecycle,
      ],
      exports: [CLICKHOUSE, CLICKHOUSE_SETTINGS],
    };
  }
}
