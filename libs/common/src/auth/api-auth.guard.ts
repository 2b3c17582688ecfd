import { CanActivate, createParamDecorator, ExecutionContext, ForbiddenException, Inject, Injectable, Logger, SetMetadata, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiPrincipal, ApiRole, ApiTokenSet, grants } from './api-tokens';
import { API_TOKENS_HOWTO } from './api-tokens.config';

export const API_TOKENS = Symbol('ApiTokens');

const PUBLIC_ROUTE = 'vigil:public-route';

/**
 * Opens a controller or handler to callers without a token. Only probes and scrapers
 * (/health, /metrics) carry it: every other route is guarded by default.
 */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** Methods that only read; any other method changes state and needs a write token. */
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function roleNeededFor(method: string): ApiRole {
  return READ_METHODS.has(method.toUpperCase()) ? 'read' : 'write';
}

/** The parts of the platform's request and response the guard uses (no @types/express here). */
interface GuardedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  socket?: { remoteAddress?: string };
  apiPrincipal?: ApiPrincipal;
}

interface HeaderSetter {
  setHeader(name: string, value: string): unknown;
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;
const REALM = 'realm="vigil"';

/**
 * Every HTTP route needs a bearer token (RFC 6750) unless marked @Public(): a read token
 * for GET/HEAD/OPTIONS, a write token for anything else. 401 with `WWW-Authenticate:
 * Bearer` when the token is missing or unknown, 403 for a read token on a write route.
 * Registered as the global guard (APP_GUARD) so a new route cannot skip it.
 */
@Injectable()
export class ApiTokenGuard implements CanActivate {
  private readonly logger = new Logger('ApiAuth');

  constructor(
    @Inject(API_TOKENS) private readonly tokens: ApiTokenSet,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    // Kafka handlers (if any are ever added) are protected by the broker's own ACLs.
    if (context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()])) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<GuardedRequest>();
    const response = http.getResponse<HeaderSetter>();
    const needed = roleNeededFor(request.method);
    const refuse = (reason: string, principal?: string) =>
      this.logger.warn({ message: 'API request refused', reason, method: request.method, path: request.url.split('?')[0], needed, principal, from: request.socket?.remoteAddress });

    if (this.tokens.size === 0) {
      refuse('no tokens configured');
      response.setHeader('WWW-Authenticate', `Bearer ${REALM}`);
      throw new UnauthorizedException(`no API tokens are configured on this service: ${API_TOKENS_HOWTO}`);
    }
    const header = request.headers.authorization;
    const presented = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
    if (presented === undefined) {
      refuse(header === undefined ? 'no token' : 'malformed Authorization header');
      response.setHeader('WWW-Authenticate', `Bearer ${REALM}`);
      throw new UnauthorizedException(`this route needs a ${needed} token: send "Authorization: Bearer <token>"`);
    }
    const principal = this.tokens.authenticate(presented);
    if (!principal) {
      refuse('unknown token');
      response.setHeader('WWW-Authenticate', `Bearer ${REALM}, error="invalid_token"`);
      throw new UnauthorizedException('the bearer token is not one of the configured API tokens');
    }
    if (!grants(principal.role, needed)) {
      refuse('insufficient role', principal.name);
      response.setHeader('WWW-Authenticate', `Bearer ${REALM}, error="insufficient_scope", scope="write"`);
      throw new ForbiddenException(`token "${principal.name}" has the read role; ${request.method} needs a write token`);
    }
    request.apiPrincipal = principal;
    if (needed === 'write') this.logger.log({ message: 'API change accepted', principal: principal.name, method: request.method, path: request.url.split('?')[0] });
    return true;
  }
}

/**
 * The name of the token the request was authenticated with, for recording who changed
 * what. Only on guarded routes, where the guard has always set it.
 */
export const ApiCaller = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const principal = context.switchToHttp().getRequest<GuardedRequest>().apiPrincipal;
  if (!principal) throw new Error('@ApiCaller() on a route the API token guard did not authenticate (a @Public() route?)');
  return principal.name;
});
