/**
 * The KafkaTopic controller: `kafkaTopicController(deps)` wires `reconcile` (reconcile.ts) into the
 * runtime's watch-driven controller (operator/runtime/controller.ts).
 *
 * Watches: KafkaTopics (the primary kind) and KafkaClusters: a cluster change (it appears, its
 * bootstrap address is published, it is being deleted) wakes the topics that use it. Which topics
 * use which cluster is learned from the reconciles themselves (each reports its clusterRef), so
 * the mapping is synchronous and needs no extra list call; the periodic resync fills any gap.
 *
 * Kafka sends the operator no events, so a converged topic is looked at again every `resyncMs`
 * (plan.ts asks for it) to notice drift.
 */
import { API_VERSION } from '../../api/v1alpha1.js';
import { keyOf, type KubeApi } from '../../kube/api.js';
import type { Logger } from '../../../broker/io/logger.js';
import type { Clock } from '../../runtime/clock.js';
import { createController, type Controller, type ControllerMetrics } from '../../runtime/controller.js';
import { reconcile, type TopicReconcileOptions } from './reconcile.js';
import { kafkaTopicAdminFactory, type TopicAdminFactory } from './topic-admin.js';

export { reconcile, bootstrapOf, TransientTopicError, type TopicReconcileDeps, type TopicReconcileOptions } from './reconcile.js';
export { plan, TOPIC_FINALIZER, DEFAULT_DELETION_TIMEOUT_MS, DEFAULT_RESYNC_MS, type TopicPlan, type Observation, type ObservedTopic } from './plan.js';
export { APPLIED_CONFIG_ANNOTATION } from './applied-config.js';
export { kafkaTopicAdminFactory, type TopicAdmin, type TopicAdminFactory } from './topic-admin.js';

export const CONTROLLER_NAME = 'kafkatopic';

export interface KafkaTopicControllerDeps {
  readonly api: KubeApi;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Namespaces to watch; null = all. */
  readonly namespaces: readonly string[] | null;
  readonly metrics?: ControllerMetrics;
  /** Kafka access; default: the internal client with `kafkaTimeoutMs`. */
  readonly admins?: TopicAdminFactory;
  readonly kafkaTimeoutMs?: number;
  readonly options?: Partial<TopicReconcileOptions>;
  readonly workers?: number;
  /** The runtime's list-everything resync (independent of the per-topic drift resync). */
  readonly resyncMs?: number;
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
}

/** topic key -> cluster key, and the reverse lookup the KafkaCluster watch needs. */
class ClusterIndex {
  private readonly clusterOf = new Map<string, string>();

  set(topicKey: string, clusterKey: string | null): void {
    if (clusterKey === null) this.clusterOf.delete(topicKey);
    else this.clusterOf.set(topicKey, clusterKey);
  }

  topicsOf(clusterKey: string): string[] {
    return [...this.clusterOf].filter(([, cluster]) => cluster === clusterKey).map(([topic]) => topic);
  }
}

export function kafkaTopicController(deps: KafkaTopicControllerDeps): Controller {
  const index = new ClusterIndex();
  const admins = deps.admins ?? kafkaTopicAdminFactory(deps.clock, deps.kafkaTimeoutMs === undefined ? {} : { timeoutMs: deps.kafkaTimeoutMs });
  const logger = deps.logger.child(CONTROLLER_NAME);
  const reconcileDeps = {
    api: deps.api,
    clock: deps.clock,
    logger,
    admins,
    onClusterRef: (topicKey: string, clusterKey: string | null) => index.set(topicKey, clusterKey),
    ...(deps.options === undefined ? {} : { options: deps.options }),
  };
  return createController({
    name: CONTROLLER_NAME,
    api: deps.api,
    clock: deps.clock,
    logger: deps.logger,
    primary: { apiVersion: API_VERSION, kind: 'KafkaTopic' },
    extraWatches: [{ apiVersion: API_VERSION, kind: 'KafkaCluster', keysFor: (cluster) => index.topicsOf(keyOf(cluster)) }],
    namespaces: deps.namespaces,
    reconcile: (key) => reconcile(reconcileDeps, key),
    ...(deps.metrics === undefined ? {} : { metrics: deps.metrics }),
    ...(deps.workers === undefined ? {} : { workers: deps.workers }),
    ...(deps.resyncMs === undefined ? {} : { resyncMs: deps.resyncMs }),
    ...(deps.backoffBaseMs === undefined ? {} : { backoffBaseMs: deps.backoffBaseMs }),
    ...(deps.backoffMaxMs === undefined ? {} : { backoffMaxMs: deps.backoffMaxMs }),
  });
}
