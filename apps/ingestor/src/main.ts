import 'reflect-metadata';
import { bootstrapService } from '@vigil/common';
import { startBatchTransport } from '@vigil/messaging';
import { IngestorModule } from './app.module';
import { loadIngestorConfig } from './ingestor.config';

void bootstrapService(IngestorModule, 'ingestor', () => loadIngestorConfig().httpPort, { start: startBatchTransport });
