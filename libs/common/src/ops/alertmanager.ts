import { Logger } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import { z } from 'zod';
import { createRetryPolicy, RetryPolicy } from '../retry';
import { env, parseEnv } from '../validation/env-schema';

/** Variables of every service that talks to Alertmanager (defaults documented in docs/operations.md). */
const alertmanagerEnvSchema = z
  .object({
    ALERTMANAGER_URL: env.optionalUrl(),
    ALERTMANAGER_RESEND_MS: env.int(60_000, { min: 1_000 }),
    VIGIL_DASHBOARD_URL: env.optionalUrl(),
  })
  .transform((v) => ({
    /** Base URL of Alertmanager (empty = off). */
    url: v.ALERTMANAGER_URL,
    /** Firing alerts are sent again this often, as Prometheus does, so Alertmanager keeps them open. */
    resendMs: v.ALERTMANAGER_RESEND_MS,
    /** Base URL of the dashboard linked from alerts (empty = no link). */
    dashboardUrl: v.VIGIL_DASHBOARD_URL,
  }));
export type AlertmanagerConfig = z.output<typeof alertmanagerEnvSchema>;

export function loadAlertmanagerConfig(environment: NodeJS.ProcessEnv = process.env): AlertmanagerConfig {
  return parseEnv(alertmanagerEnvSchema, environment, 'invalid Alertmanager configuration');
}

/** The dashboard page of a model, or undefined without a dashboard URL. */
export function dashboardLink(dashboardUrl: string, modelId: string): string | undefined {
  return dashboardUrl === '' ? undefined : `${dashboardUrl.replace(/\/+$/, '')}/models/${encodeURIComponent(modelId)}`;
}

/** One alert of Alertmanager's API v2 (`POST /api/v2/alerts` takes a list of these). */
export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  generatorURL?: string;
}

/** Posting: 5 retries from 0.5 s up to 10 s (about 30 s in all), each POST given 5 s. */
const RETRY = { maxRetries: 5, initialDelayMs: 500, maxDelayMs: 10_000 };
const TIMEOUT_MS = 5_000;

/** Alerts waiting for Alertmanager beyond this are dropped (oldest first) and counted: memory stays bounded while it is away. */
const MAX_QUEUED = 10_000;

/** A failed POST that another try may fix: no answer, 429 or 5xx. */
class AlertmanagerUnavailableError extends Error {
  readonly retriable = true;
}

/**
 * Posts alerts to Alertmanager's API v2 off the Kafka path: `send` only queues, one
 * sender drains the queue under the project's retry policy (bounded, jittered). Alerts
 * left after the retries are spent wait for the next `send`; firing alerts are re-sent by
 * AlertmanagerSync anyway, so a lost POST costs at most one resend interval.
 */
export class AlertmanagerClient {
  private readonly logger = new Logger('AlertmanagerClient');
  private readonly retry: RetryPolicy;
  private readonly posts: Counter<'outcome'>;
  private queue: AlertmanagerAlert[] = [];
  private sender?: Promise<void>;
  private readonly stopping = new AbortController();

  /** `url`: e.g. http://127.0.0.1:9093 (alerts go to `<url>/api/v2/alerts`); `service` names the retry operation. */
  constructor(
    private readonly url: string,
    service: string,
    registry: Registry,
  ) {
    this.retry = createRetryPolicy({ operation: `${service}.alertmanager`, ...RETRY }, registry);
    this.posts = new Counter({
      name: 'vigil_alertmanager_alerts_total',
      help: 'Alerts posted to Alertmanager, by outcome (sent, failed = retries spent and kept for later, dropped = queue full)',
      labelNames: ['outcome'],
      registers: [registry],
    });
  }

  send(alerts: AlertmanagerAlert[]): void {
    if (alerts.length === 0) return;
    this.queue.push(...alerts);
    if (this.queue.length > MAX_QUEUED) {
      const dropped = this.queue.length - MAX_QUEUED;
      this.queue = this.queue.slice(dropped);
      this.posts.inc({ outcome: 'dropped' }, dropped);
    }
    this.drain();
  }

  /** Waits for the sender in progress (tests, shutdown); then stops retrying. */
  async close(): Promise<void> {
    await this.sender;
    this.stopping.abort();
  }

  private drain(): void {
    if (this.sender || this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    let sent = false;
    this.sender = this.retry
      .execute(() => this.post(batch), this.stopping.signal)
      .then(
        () => {
          sent = true;
          this.posts.inc({ outcome: 'sent' }, batch.length);
        },
        (error: unknown) => {
          this.posts.inc({ outcome: 'failed' }, batch.length);
          this.queue = [...batch, ...this.queue].slice(-MAX_QUEUED);
          this.logger.warn({ message: 'posting alerts to Alertmanager failed; kept for the next send', alerts: batch.length, error: String(error) });
        },
      )
      .finally(() => {
        this.sender = undefined;
        // Alerts queued meanwhile go now; after a failure they wait for the next send.
        if (sent) this.drain();
      });
  }

  private async post(alerts: AlertmanagerAlert[]): Promise<void> {
    let response: Response;
    try {
      response = await fetch(`${this.url.replace(/\/+$/, '')}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw new AlertmanagerUnavailableError(`Alertmanager did not answer: ${(error as Error).message}`);
    }
    await response.text();
    if (response.status === 429 || response.status >= 500) {
      throw new AlertmanagerUnavailableError(`Alertmanager answered ${response.status}`);
    }
    if (!response.ok) {
      // 400: the payload is wrong, another try would be refused too.
      this.logger.error({ message: 'Alertmanager refused alerts', status: response.status, alerts: alerts.length });
    }
  }
}
