import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@vigil/common';
import { Counter, Gauge } from 'prom-client';

/** Prometheus series of the orchestrator (names documented in docs/orchestrator.md). */
@Injectable()
export class OrchestratorMetrics {
  readonly eventsConsumed: Counter<'type'>;
  readonly decisions: Counter<'action' | 'outcome'>;
  readonly requestsProduced: Counter<'action'>;
  readonly deadLetters: Counter<'reason'>;
  readonly openIncidents: Gauge;
  readonly modelOpenIncidents: Gauge<'model' | 'version' | 'action'>;
  readonly role: Gauge<'role'>;

  constructor(registry: MetricsRegistry) {
    this.eventsConsumed = new Counter({
      name: 'vigil_orchestrator_events_consumed_total',
      help: 'Events handled by the lifecycle engine, by type (alert, snapshot, deployed, retrainCompleted)',
      labelNames: ['type'],
      registers: [registry],
    });
    this.decisions = new Counter({
      name: 'vigil_orchestrator_decisions_total',
      help: 'Audited lifecycle decisions by action and outcome',
      labelNames: ['action', 'outcome'],
      registers: [registry],
    });
    this.requestsProduced = new Counter({
      name: 'vigil_orchestrator_requests_produced_total',
      help: 'RetrainRequested / RollbackRequested records committed to Kafka',
      labelNames: ['action'],
      registers: [registry],
    });
    this.deadLetters = new Counter({
      name: 'vigil_orchestrator_dead_letters_total',
      help: 'Consumed records sent to the dead-letter topic, by reason',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.openIncidents = new Gauge({
      name: 'vigil_orchestrator_open_incidents',
      help: 'Incidents currently open across all models',
      registers: [registry],
    });
    this.modelOpenIncidents = new Gauge({
      name: 'vigil_model_open_incidents',
      help: 'Open incidents of a model version, by action (retrain, rollback)',
      labelNames: ['model', 'version', 'action'],
      registers: [registry],
    });
    this.role = new Gauge({
      name: 'vigil_orchestrator_role',
      help: "This instance's role: 1 on the current one of standby, activating, active (one instance holds the lease)",
      labelNames: ['role'],
      registers: [registry],
    });
  }
}
