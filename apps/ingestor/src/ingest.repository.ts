import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { CLICKHOUSE, classifyClickHouseError, identifier, sql } from '@vigil/storage';
import { Readable } from 'node:stream';

/** The tables the ingestor writes (libs/storage/migrations/001_ingest_tables.sql). */
export type IngestTable = 'predictions' | 'labels' | 'dead_letters';

/** The ingestor's only ClickHouse access: bulk inserts of pre-serialised rows. */
@Injectable()
export class IngestRepository {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  /**
   * Inserts JSONEachRow lines in one request; resolves once ClickHouse acknowledged
   * them. Connection failures and timeouts reject with StorageUnavailableError.
   */
  async insertRows(table: IngestTable, lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    const body = Buffer.from(lines.join('\n') + '\n');
    try {
      const result = await this.client.exec({
        query: sql`INSERT INTO ${identifier(table)} FORMAT JSONEachRow`,
        values: Readable.from([body]),
      });
      result.stream.resume();
    } catch (error) {
      throw classifyClickHouseError(error, `insert into ${table}`);
    }
  }
}
