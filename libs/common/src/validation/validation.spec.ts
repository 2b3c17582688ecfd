import { BadRequestException } from '@nestjs/common';
import { z } from 'zod';
import { env, parseEnv } from './env-schema';
import { describeZodIssues } from './zod-issues';
import { ZodValidationPipe } from './zod-validation.pipe';

describe('describeZodIssues', () => {
  const schema = z
    .object({
      retrain: z
        .object({ maxPerDay: z.number().int().min(0) })
        .strict()
        .partial(),
      alpha: z.number().gt(0).lt(1),
      metric: z.literal('accuracy'),
      kind: z.enum(['read', 'write']),
      version: z.string().min(1),
    })
    .strict();

  it('names every problem by its path, in the words the messages used before zod', () => {
    const result = schema.safeParse({ retrain: { maxPerDay: -1, cooldown: 1 }, alpha: 2, metric: 'f1', kind: 'admin', version: '', extra: true });
    expect(result.success).toBe(false);
    expect(describeZodIssues(result.error!.issues)).toBe(
      [
        '"retrain.maxPerDay" must be greater than or equal to 0',
        '"retrain.cooldown" is not allowed',
        '"alpha" must be less than 1',
        '"metric" must be [accuracy]',
        '"kind" must be one of [read, write]',
        '"version" is not allowed to be empty',
        '"extra" is not allowed',
      ].join('. '),
    );
  });

  it('says "is required" for a missing key and names the type for a wrong one', () => {
    const result = schema.safeParse({ retrain: {}, alpha: 'x', metric: 'accuracy', kind: 'read' });
    expect(describeZodIssues(result.error!.issues)).toBe('"alpha" must be a number. "version" is required');
  });
});

describe('environment schemas', () => {
  const schema = z.object({ PORT: env.port(3001), ON: env.bool(true), N: env.int(6, { min: 1 }), SECRET: env.optionalText(), HOOK: env.optionalUrl() });

  it('reads text into numbers and booleans and applies the defaults', () => {
    expect(parseEnv(schema, {}, 'bad')).toEqual({ PORT: 3001, ON: true, N: 6, SECRET: '', HOOK: '' });
    expect(parseEnv(schema, { PORT: '8080', ON: 'FALSE', N: '2', HOOK: 'http://127.0.0.1:9093' }, 'bad')).toEqual({
      PORT: 8080,
      ON: false,
      N: 2,
      SECRET: '',
      HOOK: 'http://127.0.0.1:9093',
    });
  });

  it('refuses bad values with every variable named and never the values themselves', () => {
    expect(() => parseEnv(schema, { N: 'hunter2' }, 'bad')).toThrow(/^(?!.*hunter2)/);
    // 65 536: one above the largest TCP port.
    expect(() => parseEnv(schema, { PORT: '65536', ON: 'yes', N: '0', SECRET: 'hunter2', HOOK: 'not a url' }, 'invalid test configuration')).toThrow(
      'invalid test configuration: "PORT" must be less than or equal to 65535. "ON" must be one of [true, false]. "N" must be greater than or equal to 1. "HOOK" must be a valid uri',
    );
  });
});

describe('ZodValidationPipe', () => {
  const pipe = new ZodValidationPipe(z.object({ version: z.string().min(1), reason: z.enum(['manual', 'retrain']).default('manual') }));

  it('hands over the parsed value with defaults', () => {
    expect(pipe.transform({ version: 'v2' })).toEqual({ version: 'v2', reason: 'manual' });
  });

  it('names a query value after its parameter', () => {
    const limit = new ZodValidationPipe(z.coerce.number().int().min(1).max(10_000).default(100));
    expect(limit.transform(undefined, { type: 'query', data: 'limit' })).toBe(100);
    expect(limit.transform('25', { type: 'query', data: 'limit' })).toBe(25);
    expect(() => limit.transform('0', { type: 'query', data: 'limit' })).toThrow(new BadRequestException('"limit" must be greater than or equal to 1'));
  });

  it('answers 400 naming each issue; no body counts as an empty object', () => {
    expect(() => pipe.transform(undefined, { type: 'body' })).toThrow(new BadRequestException('"version" is required'));
    expect(() => pipe.transform({ version: 'v2', reason: 'whim' })).toThrow(new BadRequestException('"reason" must be one of [manual, retrain]'));
  });
});
