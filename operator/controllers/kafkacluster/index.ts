/**
 * The KafkaCluster controller: watches KafkaClusters and the kinds they own (StatefulSet, Service,
 * ConfigMap, PodDisruptionBudget, ServiceAccount; a change to any wakes the owning cluster's key)
 * and runs `reconcileKafkaCluster` per key. See `plan.ts` for what it decides.
 */
import { API_VERSION } from '../../api/v1alpha1.js';
import { createController, type Controller, type ControllerMetrics } from '../../runtime/controller.js';
import { reconcileKafkaCluster, type KafkaClusterDeps } from './reconcile.js';

export { plan, type Plan, type PlanInput, type PlanOptions, type ObservedCluster } from './plan.js';
export { reconcileKafkaCluster, observeCluster, type KafkaClusterDeps, type ReconcileReport } from './reconcile.js';

export interface KafkaClusterControllerOptions extends KafkaClusterDeps {
  readonly namespaces: readonly string[] | null;
  readonly metrics?: ControllerMetrics;
  readonly resyncMs?: number;
  readonly workers?: number;
}

export const OWNED_KINDS = [
  { apiVersion: 'apps/v1', kind: 'StatefulSet' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' },
  { apiVersion: 'v1', kind: 'ServiceAccount' },
] as const;

export function kafkaClusterController(options: KafkaClusterControllerOptions): Controller {
  return createController({
    name: 'kafkacluster',
    api: options.api,
    clock: options.clock,
    logger: options.logger,
    primary: { apiVersion: API_VERSION, kind: 'KafkaCluster' },
    owned: OWNED_KINDS,
    namespaces: options.namespaces,
    reconcile: async (key) => {
      const report = await reconcileKafkaCluster(options, key);
      return report.requeueAfterMs === undefined ? {} : { requeueAfterMs: report.requeueAfterMs };
    },
    ...(options.metrics ? { metrics: options.metrics } : {}),
    resyncMs: options.resyncMs ?? 10 * 60_000,
    workers: options.workers ?? 2,
  });
}
