import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { CLICKHOUSE, classifyClickHouseError, identifier, sql } from '@vigil/storage';
import { Readable } from 'node:stream';
import { blockBody, COLUMNS, Row } from './rows';

/** The tables the ingestor writes (libs/storage/migrations/001_ingest_tables.sql). */
export type IngestTable = keyof typeof COLUMNS;

/** The ingestor's only ClickHouse access: bulk inserts of pre-serialised rows. */
@Injectable()
export class IngestRepository {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  /**
   * Inserts RowBinary rows (rows.ts, in the order of COLUMNS[table]) as one block stamped
   * `stampMs` (ingested_at, or at for dead letters) in one request; resolves once ClickHouse
   * acknowledged them. Connection failures and timeouts reject with StorageUnavailableError;
   * refusals keep ClickHouse's message (refusesRowData).
   */
  async insertRows(table: IngestTable, rows: readonly Row[], stampMs: number): Promise<void> {
    if (rows.length === 0) return;
    const body = blockBody(rows, stampMs);
    const columns = COLUMNS[table].map((column) => identifier(column).name).join(', ');
    try {
      const result = await this.client.exec({
        query: sql`INSERT INTO ${identifier(table)}` + ` (${columns}) FORMAT RowBinary`,
        values: Readable.from([body]),
      });
      result.stream.resume();
    } catch (error) {
      throw classifyClickHouseError(error, `insert into ${table}`);
    }
  }
}
