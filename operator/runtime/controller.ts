/**
 * A watch-driven controller: watches turn into work-queue keys, workers run `reconcile(key)`.
 *
 * Level-based (STYLE rule 16): a watch only says "look at this key again"; the handler never sees an
 * event type, and `reconcile` reads the current state itself. Sources of keys:
 * - the primary kind (key = the object's `namespace/name`);
 * - owned kinds: the key of the controller ownerReference whose kind is the primary kind;
 * - `extraWatches` with a mapper (e.g. a KafkaCluster change wakes the KafkaTopics that use it);
 * - a periodic resync that lists the primary kind and queues every key (catches anything missed).
 *
 * Outcomes of `reconcile`: returns normally -> failures forgotten, optional `requeueAfterMs`;
 * throws `TerminalError` -> logged, failures forgotten, not retried until the object changes;
 * throws anything else -> retried with exponential back-off (WorkQueue).
 * `stop()` stops the watches and timers and waits for the reconciles in flight.
 */
import type { KubeApi, KubeObject, WatchHandle } from '../kube/api.js';
import { keyOf } from '../kube/api.js';
import type { Logger } from '../../broker/io/logger.js';
import type { Clock, Timer } from './clock.js';
import { WorkQueue } from './workqueue.js';

export interface ReconcileResult {
  /** Look again after this long even if nothing changes (e.g. waiting for pods). */
  requeueAfterMs?: number;
}

/** An error that retrying cannot fix (an invalid spec): reported, never retried with back-off. */
export class TerminalError extends Error {
  override readonly name = 'TerminalError';
}

export function isTerminalError(error: unknown): boolean {
  return error instanceof TerminalError;
}

export type ReconcileOutcome = 'success' | 'requeue' | 'error' | 'terminal';

/** What a controller reports; `operator/metrics.ts` implements it with prom-client. */
export interface ControllerMetrics {
  observeReconcile(controller: string, outcome: ReconcileOutcome, durationMs: number): void;
  setQueueDepth(controller: string, depth: number): void;
}

export interface GroupVersionKind {
  readonly apiVersion: string;
  readonly kind: string;
}

export interface ExtraWatch extends GroupVersionKind {
  /** The primary keys to look at again when `object` changes. */
  readonly keysFor: (object: KubeObject) => string[];
}

export interface ControllerOptions {
  readonly name: string;
  readonly api: KubeApi;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly primary: GroupVersionKind;
  readonly owned?: readonly GroupVersionKind[];
  readonly extraWatches?: readonly ExtraWatch[];
  /** Namespaces to watch; null = all namespaces. */
  readonly namespaces: readonly string[] | null;
  readonly reconcile: (key: string) => Promise<ReconcileResult | void>;
  readonly metrics?: ControllerMetrics;
  readonly workers?: number;
  readonly resyncMs?: number;
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
}

export interface Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  start(): void;
  stop(): Promise<void>;
}

/** The key of the ownerReference with `controller: true` whose kind is `owner`, if any. */
export function controllerOwnerKey(object: KubeObject, owner: GroupVersionKind): string | null {
  const ref = object.metadata.ownerReferences?.find((r) => r.controller === true && r.kind === owner.kind && r.apiVersion === owner.apiVersion);
  if (!ref) return null;
  return object.metadata.namespace ? `${object.metadata.namespace}/${ref.name}` : ref.name;
}

export function createController(options: ControllerOptions): Controller {
  const queue = new WorkQueue({
    clock: options.clock,
    ...(options.backoffBaseMs === undefined ? {} : { backoffBaseMs: options.backoffBaseMs }),
    ...(options.backoffMaxMs === undefined ? {} : { backoffMaxMs: options.backoffMaxMs }),
  });
  const log = options.logger.child(options.name);
  const watches: WatchHandle[] = [];
  const workers: Promise<void>[] = [];
  let resyncTimer: Timer | null = null;
  let running = false;

  const reportDepth = () => options.metrics?.setQueueDepth(options.name, queue.length);
  const enqueue = (key: string | null) => {
    if (key === null || key === '') return;
    queue.add(key);
    reportDepth();
  };
  const namespaces: ReadonlyArray<string | null> = options.namespaces ?? [null];

  const watchAll = (gvk: GroupVersionKind, keysFor: (object: KubeObject) => Array<string | null>) => {
    for (const namespace of namespaces) {
      const handle = options.api.watch(gvk.apiVersion, gvk.kind, namespace, (object) => keysFor(object).forEach(enqueue), {
        onError: (error) => log.warn('watch failed; retrying', { kind: gvk.kind, namespace, error: String(error) }),
      });
      watches.push(handle);
    }
  };

  const resync = async () => {
    for (const namespace of namespaces) {
      try {
        const items = await options.api.list(options.primary.apiVersion, options.primary.kind, namespace);
        for (const item of items) enqueue(keyOf(item));
      } catch (error) {
        log.warn('resync list failed', { namespace, error: String(error) });
      }
    }
  };
  const armResync = () => {
    if (!running || !options.resyncMs) return;
    resyncTimer = options.clock.setTimer(options.resyncMs, () => {
      void resync().finally(armResync);
    });
  };

  const processOne = async (key: string) => {
    const startedMs = options.clock.monotonicMs();
    let outcome: ReconcileOutcome = 'success';
    try {
      const result = await options.reconcile(key);
      queue.forget(key);
      if (result?.requeueAfterMs !== undefined) {
        outcome = 'requeue';
        queue.addAfter(key, result.requeueAfterMs);
      }
    } catch (error) {
      if (isTerminalError(error)) {
        outcome = 'terminal';
        queue.forget(key);
        log.warn('reconcile failed for good (not retried until the object changes)', { key, error: String(error) });
      } else {
        outcome = 'error';
        const delayMs = queue.addRateLimited(key);
        log.error('reconcile failed; retrying', { key, retryInMs: delayMs, failures: queue.failures(key), error: errorText(error) });
      }
    } finally {
      queue.done(key);
      options.metrics?.observeReconcile(options.name, outcome, options.clock.monotonicMs() - startedMs);
      reportDepth();
    }
  };

  const worker = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === null) return;
      reportDepth();
      await processOne(key);
    }
  };

  return {
    name: options.name,
    queue,
    start() {
      if (running) return;
      running = true;
      watchAll(options.primary, (object) => [keyOf(object)]);
      for (const owned of options.owned ?? []) watchAll(owned, (object) => [controllerOwnerKey(object, options.primary)]);
      for (const extra of options.extraWatches ?? []) watchAll(extra, extra.keysFor);
      for (let i = 0; i < (options.workers ?? 2); i++) workers.push(worker());
      armResync();
      log.info('controller started', { namespaces: options.namespaces ?? 'all' });
    },
    async stop() {
      if (!running) return;
      running = false;
      resyncTimer?.cancel();
      for (const handle of watches.splice(0)) handle.stop();
      queue.shutDown();
      await Promise.all(workers.splice(0));
      log.info('controller stopped');
    },
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
