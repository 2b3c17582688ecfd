import { Controller, Get, Header, Inject, NotFoundException, Param, Res, ServiceUnavailableException } from '@nestjs/common';
import { Public } from '@vigil/common';
import { existsSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { DASHBOARD_CONFIG, DashboardConfig } from './dashboard.config';

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
};

/** A built asset's name (vite writes flat, hashed names): nothing that could leave the folder. */
const ASSET_NAME = /^[A-Za-z0-9_.-]+$/;

interface FileResponse {
  setHeader(name: string, value: string): unknown;
  send(body: Buffer): unknown;
}

/**
 * The built single-page UI, open without a token: it holds no data (every number comes
 * from the guarded API). Page paths (/, /models/:id, /incidents/:id; the links Alertmanager
 * annotations carry) all answer index.html, and the page routes itself.
 */
@Public()
@Controller()
export class WebController {
  constructor(@Inject(DASHBOARD_CONFIG) private readonly config: DashboardConfig) {}

  private index(): string {
    const file = join(this.config.webDir, 'index.html');
    if (!existsSync(file)) throw new ServiceUnavailableException(`the dashboard UI is not built (${file} missing): run npm run build`);
    return readFileSync(file, 'utf8');
  }

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  fleet(): string {
    return this.index();
  }

  @Get('models/:modelId')
  @Header('content-type', 'text/html; charset=utf-8')
  model(): string {
    return this.index();
  }

  @Get('incidents/:incidentId')
  @Header('content-type', 'text/html; charset=utf-8')
  incident(): string {
    return this.index();
  }

  @Get('assets/:file')
  asset(@Param('file') file: string, @Res() response: FileResponse): void {
    const path = join(this.config.webDir, 'assets', file);
    if (!ASSET_NAME.test(file) || !existsSync(path)) throw new NotFoundException(`no asset ${file}`);
    response.setHeader('content-type', CONTENT_TYPES[extname(file)] ?? 'application/octet-stream');
    // Hashed names: a new build has new names, so a year of caching is safe.
    response.setHeader('cache-control', 'public, max-age=31536000, immutable');
    response.send(readFileSync(path));
  }
}
