/**
 * Builders of the objects a KafkaCluster owns: ConfigMap, headless and bootstrap Services, external
 * listener Services, StatefulSet, PodDisruptionBudget, ServiceAccount. Pure: each takes the cluster
 * and precomputed facts and returns plain JSON, exactly what is applied (and what the golden files
 * in test/testdata/operator/ pin). Every object carries the controller ownerReference, so deleting
 * the KafkaCluster lets the garbage collector delete them.
 */
import { API_VERSION, type KafkaCluster, type KafkaListener } from '../../api/v1alpha1.js';
import type { KubeObject, OwnerReference } from '../../kube/api.js';
import {
  CONFIG_DIR, CONFIG_HASH_ANNOTATION, CONTROLLER_PORT, DATA_DIR, HTTP_PORT, objectLabels, selectorLabels, type ClusterNames,
} from './names.js';

export interface BuildContext {
  readonly cluster: KafkaCluster;
  readonly names: ClusterNames;
  readonly image: string;
  /** Hash of the ConfigMap data, put on the pod template so a config change shows there. */
  readonly configHash: string;
  /** The volume claim template's size and class: the spec's, unless an existing StatefulSet pins them. */
  readonly storage: { readonly size: string | number; readonly storageClass?: string };
}

export function ownerReference(cluster: KafkaCluster): OwnerReference {
  return {
    apiVersion: API_VERSION,
    kind: 'KafkaCluster',
    name: cluster.metadata.name ?? '',
    uid: cluster.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

function meta(ctx: BuildContext, name: string, extra: { annotations?: Record<string, string> } = {}): KubeObject['metadata'] {
  return {
    name,
    namespace: ctx.names.namespace,
    labels: objectLabels(ctx.names),
    ...(extra.annotations && Object.keys(extra.annotations).length > 0 ? { annotations: extra.annotations } : {}),
    ownerReferences: [ownerReference(ctx.cluster)],
  };
}

export function configMap(ctx: BuildContext, data: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(ctx, ctx.names.configMap), data };
}

export function serviceAccount(ctx: BuildContext): KubeObject {
  // Brokers never call the Kubernetes API: no token in their pods.
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(ctx, ctx.names.serviceAccount), automountServiceAccountToken: false };
}

function listenerPorts(listeners: readonly KafkaListener[]) {
  return listeners.map((l) => ({ name: l.name, port: l.port, targetPort: l.port, protocol: 'TCP' }));
}

export function headlessService(ctx: BuildContext): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(ctx, ctx.names.headless),
    spec: {
      clusterIP: 'None',
      // Brokers must find each other (controller quorum) before any of them is ready.
      publishNotReadyAddresses: true,
      selector: selectorLabels(ctx.names),
      ports: [
        ...listenerPorts(ctx.cluster.spec.listeners),
        { name: 'controller', port: CONTROLLER_PORT, targetPort: CONTROLLER_PORT, protocol: 'TCP' },
      ],
    },
  };
}

export function bootstrapService(ctx: BuildContext): KubeObject {
  const internal = ctx.cluster.spec.listeners.filter((l) => l.type === 'Internal');
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(ctx, ctx.names.bootstrap),
    spec: { type: 'ClusterIP', selector: selectorLabels(ctx.names), ports: listenerPorts(internal) },
  };
}

/** The bootstrap Service and one Service per broker for each NodePort / LoadBalancer listener. */
export function externalServices(ctx: BuildContext, brokers: number): KubeObject[] {
  const services: KubeObject[] = [];
  for (const l of ctx.cluster.spec.listeners) {
    if (l.type === 'Internal') continue;
    const port = (offset: number | null) => ({
      name: l.name,
      port: l.port,
      targetPort: l.port,
      protocol: 'TCP',
      ...(l.type === 'NodePort' && l.nodePortBase !== undefined ? { nodePort: l.nodePortBase + (offset === null ? 0 : offset + 1) } : {}),
    });
    const service = (name: string, selector: Record<string, string>, offset: number | null): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(ctx, name, { annotations: { ...l.annotations } }),
      spec: { type: l.type, selector, ports: [port(offset)] },
    });
    services.push(service(ctx.names.externalBootstrap(l.name), selectorLabels(ctx.names), null));
    for (let i = 0; i < brokers; i++) {
      const selector = { ...selectorLabels(ctx.names), 'statefulset.kubernetes.io/pod-name': ctx.names.pod(i) };
      services.push(service(ctx.names.externalBroker(l.name, i), selector, i));
    }
  }
  return services;
}

export function podDisruptionBudget(ctx: BuildContext): KubeObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: meta(ctx, ctx.names.podDisruptionBudget),
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(ctx.names) } },
  };
}

function env(ctx: BuildContext): Array<Record<string, unknown>> {
  const fieldRef = (fieldPath: string) => ({ valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } } });
  const vars: Array<Record<string, unknown>> = [
    { name: 'POD_NAME', ...fieldRef('metadata.name') },
    { name: 'POD_NAMESPACE', ...fieldRef('metadata.namespace') },
    { name: 'TRIBUTARY_LOG_FORMAT', value: 'json' },
  ];
  if (ctx.cluster.spec.listeners.some((l) => l.type === 'NodePort')) vars.push({ name: 'HOST_IP', ...fieldRef('status.hostIP') });
  const rack = ctx.cluster.spec.rack;
  if (rack) {
    // The downward API exposes pod labels, not node labels: BROKER_RACK is filled when the pod carries
    // the topology label (Kubernetes >= 1.33 copies topology.kubernetes.io/{zone,region} from the
    // node onto the pod); NODE_NAME and RACK_TOPOLOGY_KEY let an init step read any other node label.
    vars.push(
      { name: 'NODE_NAME', ...fieldRef('spec.nodeName') },
      { name: 'RACK_TOPOLOGY_KEY', value: rack.topologyKey },
      { name: 'BROKER_RACK', ...fieldRef(`metadata.labels['${rack.topologyKey}']`) },
    );
  }
  return vars;
}

function brokerContainer(ctx: BuildContext): Record<string, unknown> {
  const { spec } = ctx.cluster;
  const resources: Record<string, unknown> = {};
  if (spec.resources?.requests) resources['requests'] = spec.resources.requests;
  if (spec.resources?.limits) resources['limits'] = spec.resources.limits;
  return {
    name: 'broker',
    image: ctx.image,
    imagePullPolicy: 'IfNotPresent',
    command: ['/bin/sh', `${CONFIG_DIR}/start.sh`],
    env: env(ctx),
    ports: [
      ...spec.listeners.map((l) => ({ name: l.name, containerPort: l.port, protocol: 'TCP' })),
      { name: 'controller', containerPort: CONTROLLER_PORT, protocol: 'TCP' },
      { name: 'http', containerPort: HTTP_PORT, protocol: 'TCP' },
    ],
    readinessProbe: { httpGet: { path: '/readyz', port: 'http' }, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 },
    livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, initialDelaySeconds: 15, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 },
    ...(Object.keys(resources).length > 0 ? { resources } : {}),
    volumeMounts: [
      { name: 'data', mountPath: DATA_DIR },
      { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
    ],
  };
}

function podTemplate(ctx: BuildContext): Record<string, unknown> {
  const { spec } = ctx.cluster;
  const pod = spec.template?.pod;
  const annotations: Record<string, string> = { ...pod?.annotations, [CONFIG_HASH_ANNOTATION]: ctx.configHash };
  if (spec.metrics.enabled) {
    Object.assign(annotations, { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(HTTP_PORT), 'prometheus.io/path': '/metrics' });
  }
  return {
    metadata: { labels: { ...pod?.labels, ...objectLabels(ctx.names) }, annotations },
    spec: {
      serviceAccountName: ctx.names.serviceAccount,
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 60,
      securityContext: { fsGroup: 1000 },
      ...(pod?.affinity ? { affinity: pod.affinity } : {}),
      ...(pod?.tolerations && pod.tolerations.length > 0 ? { tolerations: pod.tolerations } : {}),
      containers: [brokerContainer(ctx)],
      volumes: [{ name: 'config', configMap: { name: ctx.names.configMap } }],
    },
  };
}

export function statefulSet(ctx: BuildContext, replicas: number): KubeObject {
  const { spec } = ctx.cluster;
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: meta(ctx, ctx.names.statefulSet),
    spec: {
      replicas,
      serviceName: ctx.names.headless,
      podManagementPolicy: 'Parallel',
      // The operator decides when each pod restarts (ISR-aware): the StatefulSet never rolls by itself.
      updateStrategy: { type: 'OnDelete' },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: spec.storage.deleteClaim ? 'Delete' : 'Retain', whenScaled: 'Retain' },
      selector: { matchLabels: selectorLabels(ctx.names) },
      template: podTemplate(ctx),
      volumeClaimTemplates: [
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: 'data', labels: objectLabels(ctx.names) },
          spec: {
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: ctx.storage.size } },
            ...(ctx.storage.storageClass !== undefined ? { storageClassName: ctx.storage.storageClass } : {}),
          },
        },
      ],
    },
  };
}
