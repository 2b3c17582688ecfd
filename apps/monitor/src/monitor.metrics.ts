import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@vigil/common';
import { Counter, Gauge } from 'prom-client';

/** The monitor's Prometheus series (GET /metrics); names documented in docs/monitor.md. */
@Injectable()
export class MonitorMetrics {
  readonly events: Counter<'topic' | 'outcome'>;
  readonly consumerLag: Gauge<'topic' | 'partition'>;
  readonly snapshotsPublished: Counter;
  readonly alertsPublished: Counter<'rule'>;
  readonly publishFailures: Counter<'target'>;
  readonly unstoredDropped: Counter;
  readonly deadLetters: Counter;
  readonly modelsOwned: Gauge;
  readonly labelPauses: Counter<'partition'>;
  readonly labelsPaused: Gauge<'partition'>;
  readonly checkpointAge: Gauge;
  readonly checkpointsWritten: Counter;
  /** Wall time of the last successful checkpoint (0 = none yet); read by the age gauge. */
  lastCheckpointAt = 0;

  constructor(registry: MetricsRegistry) {
    const registers = [registry];
    this.events = new Counter({
      name: 'vigil_monitor_events_total',
      help: 'Kafka records handled, by topic and outcome (processed, replayed = skipped as already in the checkpoint, invalid)',
      labelNames: ['topic', 'outcome'],
      registers,
    });
    this.consumerLag = new Gauge({
      name: 'vigil_monitor_consumer_lag',
      help: 'Records behind the high watermark after the last batch, by topic and partition',
      labelNames: ['topic', 'partition'],
      registers,
    });
    this.snapshotsPublished = new Counter({ name: 'vigil_monitor_snapshots_published_total', help: 'Metric snapshots published', registers });
    this.alertsPublished = new Counter({ name: 'vigil_monitor_alerts_published_total', help: 'Alerts published, by rule', labelNames: ['rule'], registers });
    this.publishFailures = new Counter({
      name: 'vigil_monitor_publish_failures_total',
      help: "Failed publications, by target (kafka, registry: retried on the next tick; encode: one model's outputs break their contract, dropped; clickhouse: a storage writer spent its retries)",
      labelNames: ['target'],
      registers,
    });
    this.unstoredDropped = new Counter({
      name: 'vigil_monitor_unstored_dropped_total',
      help: 'Snapshots/alerts whose ClickHouse copy was dropped because too many waited for ClickHouse (they are on Kafka)',
      registers,
    });
    this.deadLetters = new Counter({
      name: 'vigil_monitor_dead_letters_total',
      help: 'Input records refused by the monitor and published to the dead-letter topic',
      registers,
    });
    this.modelsOwned = new Gauge({ name: 'vigil_monitor_models_owned', help: 'Models whose state this instance holds', registers });
    this.labelPauses = new Counter({
      name: 'vigil_monitor_label_pauses_total',
      help: 'Times a labels partition was paused because its labels ran ahead of its predictions, by partition',
      labelNames: ['partition'],
      registers,
    });
    this.labelsPaused = new Gauge({
      name: 'vigil_monitor_labels_paused',
      help: '1 while the labels partition is paused for its predictions to catch up, by partition',
      labelNames: ['partition'],
      registers,
    });
    this.checkpointsWritten = new Counter({ name: 'vigil_monitor_checkpoints_total', help: 'Model checkpoints written to ClickHouse', registers });
    const lastCheckpointAt = (): number => this.lastCheckpointAt;
    this.checkpointAge = new Gauge({
      name: 'vigil_monitor_checkpoint_age_seconds',
      help: 'Seconds since the last successful checkpoint (-1 before the first)',
      registers,
      collect() {
        const at = lastCheckpointAt();
        this.set(at === 0 ? -1 : (Date.now() - at) / 1000);
      },
    });
  }
}
