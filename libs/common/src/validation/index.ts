export { describeZodIssues } from './zod-issues';
export { env, parseEnv } from './env-schema';
export { ZodValidationPipe } from './zod-validation.pipe';
