import { Body, Controller, Delete, Get, INestApplication, Patch, Post, Put } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { ApiCaller, API_TOKENS, ApiTokenGuard, Public, roleNeededFor } from './api-auth.guard';
import { ApiTokenSet } from './api-tokens';

const WRITE_TOKEN = 'write-token-0123456789abcdef';
const READ_TOKEN = 'read-token-0123456789abcdef';

@Controller('things')
class ThingsController {
  @Get()
  list(@ApiCaller() caller: string) {
    return { caller };
  }

  @Post()
  create(@ApiCaller() caller: string, @Body() body: unknown) {
    return { caller, body };
  }

  @Put()
  replace(@ApiCaller() caller: string) {
    return { caller };
  }

  @Patch()
  patch(@ApiCaller() caller: string) {
    return { caller };
  }

  @Delete()
  remove(@ApiCaller() caller: string) {
    return { caller };
  }
}

@Public()
@Controller('probe')
class ProbeController {
  @Get()
  probe() {
    return { ok: true };
  }
}

async function startApp(tokens: ApiTokenSet): Promise<{ app: INestApplication; url: string }> {
  const module = await Test.createTestingModule({
    controllers: [ThingsController, ProbeController],
    providers: [
      { provide: API_TOKENS, useValue: tokens },
      { provide: APP_GUARD, useClass: ApiTokenGuard },
    ],
  }).compile();
  const app = module.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  return { app, url: await app.getUrl() };
}

function call(url: string, method: string, token?: string, authorization?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (authorization !== undefined) headers.authorization = authorization;
  return fetch(`${url}/things`, { method, headers, body: method === 'GET' ? undefined : '{"a":1}' });
}

describe('ApiTokenGuard over HTTP', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await startApp(
      ApiTokenSet.fromSources([
        [
          'test',
          [
            { name: 'ci-deployer', role: 'write', token: WRITE_TOKEN },
            { name: 'grafana', role: 'read', token: READ_TOKEN },
          ],
        ],
      ]),
    ));
  });
  afterAll(() => app.close());

  it('classifies methods: only GET, HEAD and OPTIONS are reads', () => {
    expect(['GET', 'HEAD', 'OPTIONS', 'get'].map(roleNeededFor)).toEqual(['read', 'read', 'read', 'read']);
    expect(['POST', 'PUT', 'PATCH', 'DELETE'].map(roleNeededFor)).toEqual(['write', 'write', 'write', 'write']);
  });

  it('answers 401 with WWW-Authenticate: Bearer without a token, on reads and writes', async () => {
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
      const response = await call(url, method);
      expect({ method, status: response.status }).toEqual({ method, status: 401 });
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="vigil"');
      expect(((await response.json()) as { message: string }).message).toContain('send "Authorization: Bearer <token>"');
    }
  });

  it('answers 401 invalid_token for an unknown token, and for other schemes', async () => {
    const unknown = await call(url, 'GET', `${READ_TOKEN}-not`);
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('www-authenticate')).toBe('Bearer realm="vigil", error="invalid_token"');
    const basic = await call(url, 'GET', undefined, `Basic ${Buffer.from(`a:${READ_TOKEN}`).toString('base64')}`);
    expect(basic.status).toBe(401);
  });

  it('answers 403 insufficient_scope for a read token on every write method', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const response = await call(url, method, READ_TOKEN);
      expect({ method, status: response.status }).toEqual({ method, status: 403 });
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="vigil", error="insufficient_scope", scope="write"');
    }
  });

  it('lets a read token read, and a write token read and write, naming the caller', async () => {
    const read = await call(url, 'GET', READ_TOKEN);
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual({ caller: 'grafana' });
    const readByWriter = await call(url, 'GET', WRITE_TOKEN);
    expect(await readByWriter.json()).toEqual({ caller: 'ci-deployer' });
    const write = await call(url, 'POST', WRITE_TOKEN);
    expect(write.status).toBe(201);
    expect(await write.json()).toEqual({ caller: 'ci-deployer', body: { a: 1 } });
    // The scheme name is case-insensitive (RFC 7235 section 2.1).
    expect((await call(url, 'PUT', undefined, `bearer ${WRITE_TOKEN}`)).status).toBe(200);
  });

  it('leaves @Public() routes open', async () => {
    const response = await fetch(`${url}/probe`);
    expect(response.status).toBe(200);
  });
});

describe('ApiTokenGuard without configured tokens', () => {
  it('refuses guarded routes with a message saying how to configure tokens, and keeps probes open', async () => {
    const { app, url } = await startApp(ApiTokenSet.empty());
    try {
      const response = await call(url, 'POST', WRITE_TOKEN);
      expect(response.status).toBe(401);
      const { message } = (await response.json()) as { message: string };
      expect(message).toContain('no API tokens are configured');
      expect(message).toContain('VIGIL_API_TOKENS_FILE');
      expect((await fetch(`${url}/probe`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
