/**
 * Leader election over a `coordination.k8s.io/v1` Lease, so two operator replicas can run and only
 * one reconciles.
 *
 * Shape (STYLE rule 2): `decideLease` is the pure core — given the lease as read, who we are, the
 * local time and when we first saw the current lease record, it says take / renew / wait. The
 * `LeaderElector` drives it: read, decide, write, every `retryPeriodMs`, with time and identity
 * injected.
 *
 * Rules:
 * - Expiry is judged on the local clock: a holder's lease counts as expired `leaseDurationMs` after
 *   we first observed its current record (holder + renewTime), not by comparing its renewTime with
 *   our clock — clocks of two machines may disagree (client-go does the same).
 * - Writes are server-side applies with a per-identity field manager, guarded by the
 *   resourceVersion read (optimistic lock): two candidates that race lose with 409, never both win.
 *   Creating a missing lease is an apply without force, so a second creator conflicts on
 *   holderIdentity.
 * - A leader that cannot renew within `renewDeadlineMs` of its last successful renew stops leading
 *   (`onStoppedLeading`) before its lease can expire elsewhere (renewDeadline < leaseDuration).
 * - `stop()` releases the lease (empty holder) when leading, so a successor need not wait.
 */
import type { KubeApi, KubeObject } from '../kube/api.js';
import { FIELD_MANAGER, KubeApiError } from '../kube/api.js';
import type { Logger } from '../../broker/io/logger.js';
import type { Clock, Timer } from './clock.js';

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

export type LeaseDecision =
  | { readonly action: 'take'; readonly spec: LeaseSpec }
  | { readonly action: 'renew'; readonly spec: LeaseSpec }
  | { readonly action: 'wait'; readonly holder: string; readonly expiresAtMs: number };

/** MicroTime as the API server wants it: RFC 3339 with six fractional digits. */
export function microTime(nowMs: number): string {
  return new Date(nowMs).toISOString().replace(/Z$/, '000Z');
}

/** The identity of a lease record: it changes on every renew and every change of holder. */
export function leaseRecordKey(spec: LeaseSpec | undefined): string {
  return `${spec?.holderIdentity ?? ''}@${spec?.renewTime ?? ''}`;
}

/**
 * Pure: what `identity` should do about `current` at `nowMs`, where `observedAtMs` is when the
 * current record (leaseRecordKey) was first seen locally.
 */
export function decideLease(current: LeaseSpec | null, identity: string, nowMs: number, observedAtMs: number, leaseDurationMs: number): LeaseDecision {
  const durationSeconds = Math.max(1, Math.ceil(leaseDurationMs / 1000));
  const holder = current?.holderIdentity ?? '';
  if (current !== null && holder === identity) {
    return { action: 'renew', spec: { ...current, leaseDurationSeconds: durationSeconds, renewTime: microTime(nowMs) } };
  }
  const heldDurationMs = (current?.leaseDurationSeconds ?? durationSeconds) * 1000;
  const expiresAtMs = observedAtMs + heldDurationMs;
  if (current !== null && holder !== '' && nowMs < expiresAtMs) return { action: 'wait', holder, expiresAtMs };
  const transitions = current === null ? 0 : (current.leaseTransitions ?? 0) + (holder === '' ? 0 : 1);
  return {
    action: 'take',
    spec: {
      holderIdentity: identity,
      leaseDurationSeconds: durationSeconds,
      acquireTime: microTime(nowMs),
      renewTime: microTime(nowMs),
      leaseTransitions: transitions,
    },
  };
}

export interface LeaderElectorOptions {
  readonly api: KubeApi;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly identity: string;
  readonly namespace: string;
  readonly name: string;
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  readonly onStartedLeading: () => void;
  readonly onStoppedLeading: () => void;
}

const LEASE_API = 'coordination.k8s.io/v1';

export class LeaderElector {
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly log: Logger;
  private leading = false;
  private running = false;
  private lastRenewMs = 0;
  private observed = { key: '', atMs: 0 };
  private timer: Timer | null = null;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(private readonly o: LeaderElectorOptions) {
    this.leaseDurationMs = o.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = o.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = o.retryPeriodMs ?? 2_000;
    if (!(this.renewDeadlineMs < this.leaseDurationMs)) throw new Error('renewDeadlineMs must be shorter than leaseDurationMs');
    this.log = o.logger.child('leader-election');
  }

  isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.tick();
  }

  /** Stops trying; releases the lease if leading. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.timer?.cancel();
    await this.inFlight;
    if (this.leading) {
      this.setLeading(false);
      await this.release();
    }
  }

  /** One attempt now (tests call it directly); normally driven by the timer. */
  tryOnce(): Promise<void> {
    const attempt = this.inFlight.then(() => this.attempt());
    this.inFlight = attempt.catch(() => {});
    return attempt;
  }

  private tick(): void {
    if (!this.running) return;
    void this.tryOnce()
      .catch(() => {})
      .finally(() => {
        if (this.running) this.timer = this.o.clock.setTimer(this.retryPeriodMs, () => this.tick());
      });
  }

  private async attempt(): Promise<void> {
    if (!this.running) return;
    const nowMs = this.o.clock.nowMs();
    try {
      const lease = await this.o.api.get<Lease>({ apiVersion: LEASE_API, kind: 'Lease', namespace: this.o.namespace, name: this.o.name });
      const key = leaseRecordKey(lease?.spec);
      if (key !== this.observed.key) this.observed = { key, atMs: nowMs };
      const decision = decideLease(lease ? (lease.spec ?? {}) : null, this.o.identity, nowMs, this.observed.atMs, this.leaseDurationMs);
      if (decision.action === 'wait') {
        if (this.leading) this.setLeading(false); // someone else holds it: we lost it
        return;
      }
      await this.write(decision.spec, lease);
      this.lastRenewMs = nowMs;
      this.observed = { key: leaseRecordKey(decision.spec), atMs: nowMs };
      if (!this.leading) {
        this.log.info('became leader', { lease: `${this.o.namespace}/${this.o.name}`, identity: this.o.identity });
        this.setLeading(true);
      }
    } catch (error) {
      const conflict = error instanceof KubeApiError && error.isConflict;
      if (!conflict) this.log.warn('lease update failed', { error: String(error) });
      if (this.leading && (conflict || nowMs - this.lastRenewMs >= this.renewDeadlineMs)) {
        this.log.warn('lost leadership', { reason: conflict ? 'lease changed under us' : 'renew deadline passed' });
        this.setLeading(false);
      }
    }
  }

  private setLeading(leading: boolean): void {
    if (this.leading === leading) return;
    this.leading = leading;
    if (leading) this.o.onStartedLeading();
    else this.o.onStoppedLeading();
  }

  private async write(spec: LeaseSpec, current: Lease | null): Promise<void> {
    const metadata: KubeObject['metadata'] = { name: this.o.name, namespace: this.o.namespace };
    if (current?.metadata.resourceVersion) metadata.resourceVersion = current.metadata.resourceVersion;
    const lease = { apiVersion: LEASE_API, kind: 'Lease', metadata, spec };
    // A missing lease is created without force: a racing creator then conflicts on holderIdentity.
    await this.o.api.apply(lease, { fieldManager: this.fieldManager(), force: current !== null });
  }

  private fieldManager(): string {
    return `${FIELD_MANAGER}-election/${this.o.identity}`.slice(0, 128);
  }

  private async release(): Promise<void> {
    try {
      const lease = await this.o.api.get<Lease>({ apiVersion: LEASE_API, kind: 'Lease', namespace: this.o.namespace, name: this.o.name });
      if (lease?.spec?.holderIdentity !== this.o.identity) return;
      const nowMs = this.o.clock.nowMs();
      const spec: LeaseSpec = { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(nowMs) };
      await this.write(spec, lease);
      this.log.info('released the lease', { lease: `${this.o.namespace}/${this.o.name}` });
    } catch (error) {
      this.log.warn('could not release the lease; the next leader waits for it to expire', { error: String(error) });
    }
  }
}
