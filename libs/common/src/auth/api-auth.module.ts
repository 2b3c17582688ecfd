import { Logger, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { API_TOKENS, ApiTokenGuard } from './api-auth.guard';
import { loadApiTokens } from './api-tokens.config';

/**
 * Bearer-token authentication of every HTTP route (docs/api-auth.md). Imported by
 * OpsModule, which every service has, so no service runs without it.
 */
@Module({
  providers: [
    {
      provide: API_TOKENS,
      useFactory: () => {
        const { tokens, warnings } = loadApiTokens();
        const logger = new Logger('ApiAuth');
        for (const warning of warnings) logger.warn({ message: warning });
        if (tokens.size > 0) logger.log({ message: 'API tokens loaded', tokens: tokens.describe() });
        return tokens;
      },
    },
    { provide: APP_GUARD, useClass: ApiTokenGuard },
  ],
})
export class ApiAuthModule {}
