/**
 * Names, labels and fixed ports of the objects a KafkaCluster owns. One place, so the plan, the
 * observer and the start script agree. Pure.
 */
import type { KafkaCluster } from '../../api/v1alpha1.js';

export const CONTROLLER_PORT = 9093;
export const HTTP_PORT = 9644;
/** Mount point of the broker's PersistentVolumeClaim; partition data lives in `<DATA_DIR>/data`. */
export const DATA_DIR = '/var/lib/tributary';
/** Mount point of the ConfigMap (server.properties, start.sh). */
export const CONFIG_DIR = '/etc/tributary';
export const CONFIG_HASH_ANNOTATION = 'tributary.io/config-hash';
export const MANAGED_BY = 'tributary-operator';

export interface ClusterNames {
  readonly cluster: string;
  readonly namespace: string;
  readonly statefulSet: string;
  readonly headless: string;
  readonly bootstrap: string;
  readonly configMap: string;
  readonly podDisruptionBudget: string;
  readonly serviceAccount: string;
  /** Bootstrap Service of an external listener. */
  externalBootstrap(listener: string): string;
  /** Per-broker Service of an external listener (`ordinal` may be a shell expression). */
  externalBroker(listener: string, ordinal: number | string): string;
  pod(ordinal: number): string;
}

export function clusterNames(cluster: Pick<KafkaCluster, 'metadata'>): ClusterNames {
  const name = cluster.metadata.name ?? '';
  return {
    cluster: name,
    namespace: cluster.metadata.namespace ?? 'default',
    statefulSet: name,
    headless: `${name}-brokers`,
    bootstrap: `${name}-bootstrap`,
    configMap: `${name}-config`,
    podDisruptionBudget: name,
    serviceAccount: `${name}-broker`,
    externalBootstrap: (listener) => `${name}-${listener}-bootstrap`,
    externalBroker: (listener, ordinal) => `${name}-${listener}-${ordinal}`,
    pod: (ordinal) => `${name}-${ordinal}`,
  };
}

/** Stable DNS name of one broker pod through the headless Service. */
export function podHost(names: ClusterNames, ordinal: number, clusterDomain: string): string {
  return `${names.pod(ordinal)}.${names.headless}.${names.namespace}.svc.${clusterDomain}`;
}

/** Labels that select the broker pods of one cluster (also the StatefulSet selector). */
export function selectorLabels(names: ClusterNames): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'tributary',
    'app.kubernetes.io/instance': names.cluster,
    'app.kubernetes.io/component': 'broker',
  };
}

/** Labels on every owned object. */
export function objectLabels(names: ClusterNames): Record<string, string> {
  return { ...selectorLabels(names), 'app.kubernetes.io/managed-by': MANAGED_BY };
}

/** Label selector that finds every object owned by one cluster. */
export function ownedSelector(names: ClusterNames): string {
  return `app.kubernetes.io/instance=${names.cluster},app.kubernetes.io/managed-by=${MANAGED_BY}`;
}

/**
 * `tributary.io/bootstrap-override` on a KafkaCluster: `host:port[,host:port...]` the operator
 * asks instead of the bootstrap Service when it observes the Kafka side (rolling restarts, scaling).
 * For tests (an operator outside the cluster pointed at a local broker) and for debugging; it
 * changes nothing the brokers run.
 */
export const BOOTSTRAP_OVERRIDE_ANNOTATION = 'tributary.io/bootstrap-override';

/** Where the operator reaches the cluster's brokers: the override, else the Internal listener's bootstrap Service. */
export function operatorBootstrapServers(cluster: Pick<KafkaCluster, 'metadata' | 'spec'>, clusterDomain: string): string[] {
  const override = cluster.metadata.annotations?.[BOOTSTRAP_OVERRIDE_ANNOTATION]?.trim();
  if (override) return override.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const names = clusterNames(cluster);
  const port = cluster.spec.listeners.find((l) => l.type === 'Internal')?.port ?? 9092;
  return [`${names.bootstrap}.${names.namespace}.svc.${clusterDomain}:${port}`];
}
