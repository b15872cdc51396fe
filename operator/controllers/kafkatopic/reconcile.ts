/**
 * `reconcile(deps, key)` for one KafkaTopic: observe -> plan (pure, plan.ts) -> apply -> status.
 *
 * Observe: the KafkaTopic; where its cluster is (`bootstrapOf`: spec.bootstrapOverride, else the
 * KafkaCluster's Internal listener as published in its status, else the bootstrap Service
 * `<cluster>-bootstrap.<namespace>.svc:<internal port>`); the topic and its config overrides, asked
 * of Kafka with a deadline. Then the plan is carried out in the order plan.ts documents.
 *
 * Writes (all server-side apply under `FIELD_MANAGER`, force, and only when something differs, so
 * a converged topic costs no API write):
 * - the main resource, metadata only: our finalizer and the applied-config annotation. Each apply
 *   carries every metadata field the operator owns, because SSA removes owned fields left out.
 * - the status subresource: the whole status.
 * Events: Kubernetes Events for what was done and for new problems (not for every retry).
 *
 * Outcome for the runtime: `{requeueAfterMs}` to look again (resync of a converged topic; deletion
 * waits no longer than its deadline); `TransientTopicError` thrown for the work queue's exponential
 * back-off (cluster unreachable, retriable broker errors), after the status says so; nothing for
 * terminal problems (the status says what to fix; a spec change wakes the controller again).
 *
 * Re-entrancy: the work queue never runs two reconciles of one key at once; different keys share
 * nothing here but the API client.
 */
import { API_VERSION, type KafkaCluster, type KafkaTopic, type KafkaTopicStatus } from '../../api/v1alpha1.js';
import { FIELD_MANAGER, KubeApiError, parseKey, type KubeApi, type KubeObject } from '../../kube/api.js';
import type { Logger } from '../../../broker/io/logger.js';
import type { Clock } from '../../runtime/clock.js';
import type { ReconcileResult } from '../../runtime/controller.js';
import { APPLIED_CONFIG_ANNOTATION, encodeAppliedConfig } from './applied-config.js';
import { type ActionFailure, type Observation, type PlanOptions, type TopicAction, type TopicPlan, TOPIC_FINALIZER, plan, topicNameOf } from './plan.js';
import { type TopicAdmin, type TopicAdminFactory, classifyKafkaFailure } from './topic-admin.js';

export const DEFAULT_DELETION_RETRY_MS = 10_000;
/** Look again soon when Kafka did not yet show the effect of the actions just taken. */
const SETTLE_RETRY_MS = 1_000;

export interface TopicReconcileOptions extends PlanOptions {
  /** While a deletion waits for an unreachable cluster: how often to try again. */
  readonly deletionRetryMs: number;
}

export interface TopicReconcileDeps {
  readonly api: KubeApi;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly admins: TopicAdminFactory;
  readonly options?: Partial<TopicReconcileOptions>;
  /** Told which KafkaCluster (`namespace/name`, null: none) each topic key uses; see index.ts. */
  readonly onClusterRef?: (topicKey: string, clusterKey: string | null) => void;
}

/** Thrown after the status is written, so that the work queue retries with back-off. */
export class TransientTopicError extends Error {
  override readonly name = 'TransientTopicError';
}

export type KafkaTopicObject = KafkaTopic & KubeObject;
type KafkaClusterObject = KafkaCluster & KubeObject;

export type BootstrapTarget = { readonly kind: 'servers'; readonly servers: string[] } | { readonly kind: 'clusterGone'; readonly message: string };

/** Where the topic's cluster answers (pure). */
export function bootstrapOf(topic: KafkaTopic, cluster: KafkaCluster | null): BootstrapTarget {
  const override = topic.spec.bootstrapOverride;
  if (override !== undefined && override !== '') return { kind: 'servers', servers: override.split(',') };
  const name = topic.spec.clusterRef.name;
  const namespace = topic.metadata.namespace ?? 'default';
  if (cluster === null) return { kind: 'clusterGone', message: `KafkaCluster '${name}' does not exist in namespace '${namespace}'` };
  if (cluster.metadata.deletionTimestamp !== undefined) return { kind: 'clusterGone', message: `KafkaCluster '${name}' is being deleted` };
  const internal = cluster.spec.listeners.find((l) => l.type === 'Internal') ?? { name: 'internal', port: 9092 };
  const published = cluster.status?.listeners?.find((l) => l.name === internal.name)?.bootstrap;
  if (published !== undefined && published !== '') return { kind: 'servers', servers: published.split(',') };
  return { kind: 'servers', servers: [`${name}-bootstrap.${namespace}.svc:${internal.port}`] };
}

/** The metadata the operator owns on a KafkaTopic. */
export interface OwnedMetadata {
  readonly finalizer: boolean;
  /** The applied-config annotation's text, or null. */
  readonly appliedConfig: string | null;
}

export function ownedMetadataOf(resource: KafkaTopic): OwnedMetadata {
  return {
    finalizer: resource.metadata.finalizers?.includes(TOPIC_FINALIZER) ?? false,
    appliedConfig: resource.metadata.annotations?.[APPLIED_CONFIG_ANNOTATION] ?? null,
  };
}

/** The owned metadata to hold before the plan's actions run (step 1 of plan.ts's order). */
export function metadataBeforeActions(current: OwnedMetadata, topicPlan: TopicPlan): OwnedMetadata {
  const recordNow = topicPlan.appliedConfig !== null && topicPlan.appliedConfigWhen === 'beforeActions';
  return {
    finalizer: topicPlan.finalizer === 'add' ? true : current.finalizer,
    appliedConfig: recordNow ? encodeAppliedConfig(topicPlan.appliedConfig!) : current.appliedConfig,
  };
}

/** The owned metadata to hold after the actions and the status (step 5). */
export function metadataAfterActions(before: OwnedMetadata, topicPlan: TopicPlan): OwnedMetadata {
  const recordNow = topicPlan.appliedConfig !== null && topicPlan.appliedConfigWhen === 'afterActions';
  return {
    finalizer: topicPlan.finalizer === 'remove' ? false : before.finalizer,
    appliedConfig: recordNow ? encodeAppliedConfig(topicPlan.appliedConfig!) : before.appliedConfig,
  };
}

export async function reconcile(deps: TopicReconcileDeps, key: string): Promise<ReconcileResult> {
  const { namespace, name } = parseKey(key);
  const ref = { apiVersion: API_VERSION, kind: 'KafkaTopic', name, ...(namespace === undefined ? {} : { namespace }) };
  const resource = await deps.api.get<KafkaTopicObject>(ref);
  if (resource === null) {
    deps.onClusterRef?.(key, null);
    return {};
  }
  deps.onClusterRef?.(key, `${namespace ?? 'default'}/${resource.spec.clusterRef.name}`);
  const target = await resolveBootstrap(deps.api, resource);
  const admin = target.kind === 'servers' ? deps.admins(target.servers) : null;
  try {
    return await converge(deps, resource, admin, target);
  } finally {
    await admin?.close().catch(() => undefined);
  }
}

async function resolveBootstrap(api: KubeApi, resource: KafkaTopicObject): Promise<BootstrapTarget> {
  if (resource.spec.bootstrapOverride !== undefined && resource.spec.bootstrapOverride !== '') return bootstrapOf(resource, null);
  const clusterRef = { apiVersion: API_VERSION, kind: 'KafkaCluster', name: resource.spec.clusterRef.name, namespace: resource.metadata.namespace ?? 'default' };
  return bootstrapOf(resource, await api.get<KafkaClusterObject>(clusterRef));
}

interface Observed {
  readonly observation: Observation;
  readonly failure?: ActionFailure;
}

async function observe(admin: TopicAdmin | null, target: BootstrapTarget, topicName: string): Promise<Observed> {
  if (admin === null || target.kind === 'clusterGone') return { observation: { kind: 'clusterGone', message: target.kind === 'clusterGone' ? target.message : 'no cluster' } };
  try {
    const topic = await admin.describe(topicName);
    return { observation: topic === null ? { kind: 'absent' } : { kind: 'present', topic } };
  } catch (error) {
    const failure = classifyKafkaFailure(error);
    if (failure === null) throw error;
    const unreachable: Observation = { kind: 'unreachable', message: failure.kind === 'unreachable' ? failure.message : `bootstrap ${target.servers.join(',')}` };
    return failure.kind === 'unreachable' ? { observation: unreachable } : { observation: unreachable, failure: { ...failure.failure, action: 'describe' } };
  }
}

/** Runs the actions in order; the first failure stops them and is returned (null: all done). */
async function execute(admin: TopicAdmin | null, actions: readonly TopicAction[], observed: Observed): Promise<Observed | null> {
  for (const action of actions) {
    if (admin === null) throw new Error('BUG: actions planned without a cluster to send them to');
    try {
      await executeOne(admin, action);
    } catch (error) {
      const failure = classifyKafkaFailure(error);
      if (failure === null) throw error;
      if (failure.kind === 'unreachable') return { observation: { kind: 'unreachable', message: failure.message } };
      return { observation: observed.observation, failure: { ...failure.failure, action: action.type } };
    }
  }
  return null;
}

function executeOne(admin: TopicAdmin, action: TopicAction): Promise<void> {
  switch (action.type) {
    case 'create':
      return admin.create(action.topic, action.partitions, action.replicas, action.configs);
    case 'createPartitions':
      return admin.createPartitions(action.topic, action.count);
    case 'alterConfigs':
      return admin.alterConfigs(action.topic, action.set, action.delete);
    case 'delete':
      return admin.delete(action.topic);
  }
}

async function converge(deps: TopicReconcileDeps, resource: KafkaTopicObject, admin: TopicAdmin | null, target: BootstrapTarget): Promise<ReconcileResult> {
  const topicName = topicNameOf(resource);
  const planFor = (current: KafkaTopic, observed: Observed) =>
    plan({ resource: current, ...observed, nowMs: deps.clock.nowMs(), ...(deps.options === undefined ? {} : { options: deps.options }) });
  const observed = await observe(admin, target, topicName);
  const first = planFor(resource, observed);
  const before = metadataBeforeActions(ownedMetadataOf(resource), first);
  const current = await writeMetadata(deps.api, resource, before);
  const failed = await execute(admin, first.actions, observed);
  let final = first;
  let settling = false;
  if (failed !== null) {
    final = planFor(current, failed);
  } else if (first.actions.length > 0 && resource.metadata.deletionTimestamp === undefined) {
    final = planFor(current, await observe(admin, target, topicName));
    settling = final.actions.length > 0;
  }
  await writeStatus(deps.api, current, final.status);
  for (const event of failed === null ? first.events : final.events) await deps.api.emitEvent(current, event);
  await writeMetadata(deps.api, current, metadataAfterActions(before, failed === null ? first : final));
  deps.logger.debug('reconciled', { topic: topicName, actions: first.actions.map((a) => a.type), failed: failed?.failure?.errorName ?? failed?.observation.kind });
  return outcomeOf(deps, final, settling);
}

function outcomeOf(deps: TopicReconcileDeps, final: TopicPlan, settling: boolean): ReconcileResult {
  if (settling) return { requeueAfterMs: SETTLE_RETRY_MS };
  const { backoff, afterMs } = final.requeue;
  if (backoff && afterMs === null) {
    const ready = final.status?.conditions?.find((c) => c.type === 'Ready');
    throw new TransientTopicError(ready?.message ?? 'transient failure');
  }
  if (backoff) return { requeueAfterMs: Math.min(afterMs!, deps.options?.deletionRetryMs ?? DEFAULT_DELETION_RETRY_MS) };
  return afterMs === null ? {} : { requeueAfterMs: afterMs };
}

// ---------------------------------------------------------------------------------------------
// Writes.

function identity(resource: KafkaTopicObject): Pick<KubeObject, 'apiVersion' | 'kind'> & { metadata: { name?: string; namespace?: string } } {
  const metadata: { name?: string; namespace?: string } = {};
  if (resource.metadata.name !== undefined) metadata.name = resource.metadata.name;
  if (resource.metadata.namespace !== undefined) metadata.namespace = resource.metadata.namespace;
  return { apiVersion: resource.apiVersion, kind: resource.kind, metadata };
}

/** Applies the owned metadata when it differs from what the resource holds; returns the resource as stored. */
async function writeMetadata(api: KubeApi, resource: KafkaTopicObject, desired: OwnedMetadata): Promise<KafkaTopicObject> {
  const current = ownedMetadataOf(resource);
  if (current.finalizer === desired.finalizer && current.appliedConfig === desired.appliedConfig) return resource;
  const base = identity(resource);
  const metadata: KubeObject['metadata'] = { ...base.metadata };
  if (desired.finalizer) metadata.finalizers = [TOPIC_FINALIZER];
  if (desired.appliedConfig !== null) metadata.annotations = { [APPLIED_CONFIG_ANNOTATION]: desired.appliedConfig };
  try {
    return await api.apply<KafkaTopicObject>({ ...base, metadata }, { fieldManager: FIELD_MANAGER, force: true });
  } catch (error) {
    // The finalizer's removal may let the API server delete the resource before it answers.
    if (error instanceof KubeApiError && error.isNotFound && !desired.finalizer) return resource;
    throw error;
  }
}

async function writeStatus(api: KubeApi, resource: KafkaTopicObject, status: KafkaTopicStatus | null): Promise<void> {
  if (status === null || canonicalJson(resource.status ?? null) === canonicalJson(status)) return;
  try {
    await api.applyStatus({ ...identity(resource), status }, { fieldManager: FIELD_MANAGER, force: true });
  } catch (error) {
    if (error instanceof KubeApiError && error.isNotFound) return; // deleted meanwhile: nothing to report on
    throw error;
  }
}

/** JSON with object keys sorted, so equal values compare equal whatever order the server used. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}
