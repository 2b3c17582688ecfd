import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { createRetryPolicy, MetricsRegistry, RetryPolicy } from '@vigil/common';
import { deadLetterMessage } from '@vigil/messaging';
import { Message } from 'kafkajs';
import { Counter } from 'prom-client';
import { EVENT_TYPE_HEADER, IDEMPOTENCY_HEADER, SIGNATURE_HEADER, signatureHeader } from './core/webhook-signature';
import type { PendingRequest } from './lifecycle.service';
import { ORCHESTRATOR_CONFIG, OrchestratorConfig } from './orchestrator.config';

/** A delivery another try may fix: no answer, 408, 429 or 5xx. */
class WebhookUnavailableError extends Error {
  readonly retriable = true;
}

/** The receiver answered 4xx (other than 408/429): retrying the same request cannot help. */
class WebhookRejectedError extends Error {}

export type DeliveryOutcome = 'delivered' | 'retried' | 'rejected' | 'undelivered';

/** Dead-letter reasons of a webhook that was not delivered (docs/operations.md). */
const DEAD_LETTER_REASON = { rejected: 'webhook_rejected', undelivered: 'webhook_undelivered' } as const;

/**
 * Sends each committed RetrainRequested / RollbackRequested to every configured URL as
 * signed JSON (see core/webhook-signature.ts), off the Kafka path: the stream calls
 * `dispatch` after the request's transaction committed and does not wait. Each delivery
 * retries under the project's retry policy; when the retries are spent (or the receiver
 * refuses it) the body goes to the dead-letter topic with the reason.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationShutdown {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private readonly retry: RetryPolicy;
  private readonly deliveries: Counter<'destination' | 'outcome'>;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(
    @Inject(ORCHESTRATOR_CONFIG) private readonly config: OrchestratorConfig,
    registry: MetricsRegistry,
  ) {
    this.retry = createRetryPolicy({ operation: 'orchestrator.webhook', ...config.webhooks.retry }, registry);
    this.deliveries = new Counter({
      name: 'vigil_webhook_deliveries_total',
      help: 'Lifecycle webhook attempts by destination (host and path) and outcome (delivered, retried, rejected = 4xx, undelivered = retries spent); rejected and undelivered go to the dead-letter topic',
      labelNames: ['destination', 'outcome'],
      registers: [registry],
    });
  }

  get enabled(): boolean {
    return this.config.webhooks.urls.length > 0;
  }

  /** Starts delivering; `deadLetter` produces a record to the dead-letter topic. */
  dispatch(requests: PendingRequest[], deadLetter: (message: Message) => Promise<void>): void {
    if (!this.enabled) return;
    for (const request of requests) {
      for (const url of this.config.webhooks.urls) {
        const delivery = this.deliver(url, request, deadLetter).finally(() => this.inFlight.delete(delivery));
        this.inFlight.add(delivery);
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  private async deliver(url: string, request: PendingRequest, deadLetter: (message: Message) => Promise<void>): Promise<void> {
    const destination = destinationOf(url);
    const type = request.request.action === 'retrain' ? 'RetrainRequested' : 'RollbackRequested';
    const body = JSON.stringify({ type, incidentId: request.incidentId, modelId: request.modelId, event: request.request.event });
    let failure: { reason: string; error: string } | null = null;
    try {
      await this.retry.execute(async (attempt) => {
        if (attempt > 0) this.deliveries.inc({ destination, outcome: 'retried' });
        await this.post(url, type, request.incidentId, body);
      }, this.stopping.signal);
      this.deliveries.inc({ destination, outcome: 'delivered' });
      this.logger.log({ message: 'webhook delivered', destination, incidentId: request.incidentId, type });
      return;
    } catch (error) {
      const rejected = error instanceof WebhookRejectedError;
      this.deliveries.inc({ destination, outcome: rejected ? 'rejected' : 'undelivered' });
      failure = { reason: rejected ? DEAD_LETTER_REASON.rejected : DEAD_LETTER_REASON.undelivered, error: `${destination}: ${(error as Error).message}` };
    }
    this.logger.warn({ message: 'webhook not delivered; dead-lettered', destination, incidentId: request.incidentId, reason: failure.reason, error: failure.error });
    try {
      await deadLetter(
        deadLetterMessage(
          { key: request.modelId, value: body, headers: { [IDEMPOTENCY_HEADER]: request.incidentId, [EVENT_TYPE_HEADER]: type } },
          request.source,
          failure.reason,
          failure.error,
        ),
      );
    } catch (error) {
      this.logger.error({ message: 'dead-lettering an undelivered webhook failed', destination, incidentId: request.incidentId, error: String(error) });
    }
  }

  private async post(url: string, type: string, incidentId: string, body: string): Promise<void> {
    // Signed at each attempt: the receiver's replay window counts from the attempt.
    const timestamp = Math.floor(Date.now() / 1000);
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signatureHeader(this.config.webhooks.secret, timestamp, body),
          [IDEMPOTENCY_HEADER]: incidentId,
          [EVENT_TYPE_HEADER]: type,
        },
        body,
        signal: AbortSignal.timeout(this.config.webhooks.timeoutMs),
      });
    } catch (error) {
      throw new WebhookUnavailableError(`no answer: ${(error as Error).message}`);
    }
    await response.text().catch(() => undefined);
    if (response.ok) return;
    if (response.status === 408 || response.status === 429 || response.status >= 500) throw new WebhookUnavailableError(`answered ${response.status}`);
    throw new WebhookRejectedError(`answered ${response.status}`);
  }
}

/** The metric label of a URL: host and path, never its query string or credentials. */
export function destinationOf(url: string): string {
  const u = new URL(url);
  return `${u.host}${u.pathname}`;
}
