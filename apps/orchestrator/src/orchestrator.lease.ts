import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { HealthRegistry } from '@vigil/common';
import { KAFKA, orchestratorLease } from '@vigil/messaging';
import { Admin, AssignerProtocol, Consumer, Kafka, PartitionAssigner } from 'kafkajs';
import { chooseLeaseHolder, decodeLeaseClaim, encodeLeaseClaim, LeaseClaim } from './core';
import { OrchestratorMetrics } from './orchestrator.metrics';
import { ORCHESTRATOR_CONFIG, OrchestratorConfig } from './orchestrator.config';

/** `standby` until this instance is given the lease, `activating` while it takes over, then `active`. */
export type OrchestratorRole = 'standby' | 'activating' | 'active';

const ASSIGNER_NAME = 'VigilOrchestratorLease';
const ASSIGNER_VERSION = 1;

/** The exit status of an instance that lost the lease or was fenced: a supervisor restarts it as a standby. */
const LEASE_LOST_EXIT = 1;

/** Kafka's answer to a transaction of a producer whose transactional id another instance took (47; 90 from newer protocol versions). */
export function isFencedError(error: unknown): boolean {
  for (let e = error as { type?: unknown; code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.type === 'INVALID_PRODUCER_EPOCH' || e.type === 'PRODUCER_FENCED' || e.code === 47 || e.code === 90) return true;
  }
  return false;
}

/**
 * The lease that makes one orchestrator instance active and the others hot standbys
 * (docs/orchestrator.md "Active and standby"): a consumer group `<group id>-lease` on the
 * one-partition lease topic. The member assigned partition 0 is active; the assigner keeps
 * the lease with its holder, so a standby joining never takes it from a live active. The
 * instance it goes to takes over (`start`'s callback: fence, reload, recover, consume); an
 * active that loses it, misses its heartbeats for a session timeout or is fenced exits at
 * once, so two instances never both decide.
 */
@Injectable()
export class OrchestratorLease implements OnApplicationShutdown {
  private readonly logger = new Logger(OrchestratorLease.name);
  private readonly topic: string;
  private readonly groupId: string;
  private readonly startedAt = Date.now();
  private current: OrchestratorRole = 'standby';
  private heldSince: number | null = null;
  private lastHeartbeatAt = 0;
  private consumer?: Consumer;
  private admin?: Admin;

  constructor(
    @Inject(ORCHESTRATOR_CONFIG) private readonly config: OrchestratorConfig,
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly metrics: OrchestratorMetrics,
    health: HealthRegistry,
  ) {
    ({ topic: this.topic, groupId: this.groupId } = orchestratorLease(config.topicPrefix, config.groupId));
    health.register('lease', () => ({ status: this.current === 'activating' ? 'degraded' : 'up', role: this.current, instance: config.instance }));
    this.setRole('standby');
  }

  get role(): OrchestratorRole {
    return this.current;
  }

  /** Joins the lease group; `activate` runs once, when this instance is given the lease. */
  async start(activate: () => Promise<void>): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      partitionAssigners: [this.assigner()],
      sessionTimeout: this.config.sessionTimeoutMs,
      heartbeatInterval: Math.floor(this.config.sessionTimeoutMs / 10),
      // The lease topic stays empty: each fetch waits this long, and the consumer heartbeats between fetches.
      maxWaitTimeInMs: Math.floor(this.config.sessionTimeoutMs / 10),
    });
    this.consumer = consumer;
    consumer.on(consumer.events.HEARTBEAT, () => {
      this.lastHeartbeatAt = Date.now();
    });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.lastHeartbeatAt = Date.now();
      const holds = (payload.memberAssignment[this.topic] ?? []).includes(0);
      if (holds && this.current === 'standby') void this.takeOver(activate);
      else if (!holds && this.current !== 'standby') this.relinquish('the lease went to another instance at a rebalance');
      else if (!holds) this.logger.log({ message: 'orchestrator standing by', instance: this.config.instance, leaseGroup: this.groupId });
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      // kafkajs has left the group before it restarts a crashed consumer: the lease may be another's already.
      if (this.current !== 'standby' || !payload.restart) this.relinquish(`the lease consumer crashed: ${payload.error.message}`);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topic], fromBeginning: false });
    await consumer.run({ eachMessage: async () => undefined });
  }

  /**
   * Before the active persists or commits: exits if no lease heartbeat succeeded for a whole
   * session timeout (the process was paused or cut off, so the group has very likely given
   * the lease to a standby that may already be deciding).
   */
  confirmHeld(): void {
    if (this.current === 'standby') throw new Error('the orchestrator is a standby: it does not decide');
    const silentMs = Date.now() - this.lastHeartbeatAt;
    if (silentMs > this.config.sessionTimeoutMs) this.relinquish(`no lease heartbeat for ${silentMs} ms (session timeout ${this.config.sessionTimeoutMs} ms)`);
  }

  /** The transactional producer was fenced: another instance holds the transactional id. */
  fenced(error: unknown): never {
    this.relinquish(`the transactional producer was fenced by another instance: ${(error as Error).message}`);
  }

  /** The instance holding the lease as the group's coordinator describes it, for a standby's answers; null if none. */
  async activeInstance(): Promise<string | null> {
    if (!this.admin) {
      this.admin = this.kafka.admin();
      await this.admin.connect();
    }
    const { groups } = await this.admin.describeGroups([this.groupId]);
    for (const member of groups[0]?.members ?? []) {
      const assignment = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
      if (!(assignment?.assignment[this.topic] ?? []).includes(0)) continue;
      return decodeLeaseClaim(AssignerProtocol.MemberMetadata.decode(member.memberMetadata)?.userData)?.instance ?? member.memberId;
    }
    return null;
  }

  /** Leaving the group hands the lease to a standby at once (no session timeout to wait). */
  async onApplicationShutdown(): Promise<void> {
    await this.admin?.disconnect();
    await this.consumer?.disconnect();
  }

  private async takeOver(activate: () => Promise<void>): Promise<void> {
    this.heldSince = Date.now();
    this.setRole('activating');
    this.logger.log({ message: 'lease acquired: taking over', instance: this.config.instance, leaseGroup: this.groupId });
    try {
      await activate();
    } catch (error) {
      this.relinquish(`taking over failed: ${(error as Error).message}`);
    }
    this.setRole('active');
    this.logger.log({ message: 'orchestrator active', instance: this.config.instance, takeOverMs: Date.now() - this.heldSince });
  }

  /** Stops this instance at once: it may no longer decide, and a supervisor restarts it as a standby. */
  private relinquish(reason: string): never {
    this.logger.fatal({ message: 'orchestrator lost the lease: exiting so that only the new active decides', reason, instance: this.config.instance });
    process.exit(LEASE_LOST_EXIT);
  }

  private setRole(role: OrchestratorRole): void {
    this.current = role;
    for (const r of ['standby', 'activating', 'active'] as const) this.metrics.role.set({ role: r }, r === role ? 1 : 0);
  }

  private claim(): LeaseClaim {
    return { instance: this.config.instance, startedAt: this.startedAt, heldSince: this.heldSince };
  }

  /** Partition 0 to the member chooseLeaseHolder picks; each member's claim travels in its subscription's user data. */
  private assigner(): PartitionAssigner {
    const topic = this.topic;
    return () => ({
      name: ASSIGNER_NAME,
      version: ASSIGNER_VERSION,
      assign: async ({ members }) => {
        const holder = chooseLeaseHolder(
          members.map(({ memberId, memberMetadata }) => ({ memberId, claim: decodeLeaseClaim(AssignerProtocol.MemberMetadata.decode(memberMetadata)?.userData) })),
        );
        return members.map(({ memberId }) => ({
          memberId,
          memberAssignment: AssignerProtocol.MemberAssignment.encode({
            version: ASSIGNER_VERSION,
            assignment: memberId === holder ? { [topic]: [0] } : {},
            userData: Buffer.alloc(0),
          }),
        }));
      },
      protocol: () => ({
        name: ASSIGNER_NAME,
        metadata: AssignerProtocol.MemberMetadata.encode({ version: ASSIGNER_VERSION, topics: [topic], userData: encodeLeaseClaim(this.claim()) }),
      }),
    });
  }
}
