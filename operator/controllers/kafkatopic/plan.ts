/**
 * The KafkaTopic planner: `plan(input) -> TopicPlan`, pure (STYLE rules 2 and 16).
 *
 * Input: the KafkaTopic as read from the API server, what the operator observed in Kafka (the topic,
 * its absence, an unreachable cluster, or a KafkaCluster that is gone), the time, and, when the
 * driver re-plans after an admin call failed, that failure. Output: the admin calls to make, what to
 * do with the finalizer and the applied-config annotation, the status to write, the Events to
 * record, and when to look again.
 *
 * The driver (`reconcile.ts`) must follow this order:
 *   1. metadata before the actions: add the finalizer; when the actions create the topic, also
 *      record the applied config (it marks the topic as this resource's, should the operator stop
 *      between CreateTopics and the status write);
 *   2. the actions, in order; on a failure, stop and call `plan` again with `failure` set (or with
 *      an `unreachable` observation when the cluster could not be reached);
 *   3. when actions ran and the resource is not being deleted, observe again and plan again: the
 *      status always describes what Kafka reports, never what the operator hopes it did;
 *   4. the status (server-side apply on the status subresource), unless null or unchanged;
 *   5. metadata after the actions: the applied config, and the finalizer's removal, last.
 *
 * Decisions, where the issue leaves a choice:
 * - Ownership. A topic is this resource's when its id is `status.topicId`, or when the status has no
 *   id yet but the applied-config annotation exists (the create went out, the status write did not).
 *   Any other existing topic is adopted only with `spec.adopt`; otherwise Ready=False `TopicExists`
 *   (`TopicRecreatedOutside` when it replaced the one this resource managed). A topic that is not
 *   this resource's is never deleted.
 * - Config. Keys in spec.config that changed since they were last applied (or were never applied)
 *   are set whatever the driftPolicy: that is a spec change, not drift. A key whose spec value is
 *   unchanged but whose value in Kafka differs is drift: Enforce sets it again, Report lists it,
 *   Ignore leaves it. A key this resource set earlier and the spec no longer has is deleted from
 *   Kafka; keys set in Kafka by others are never deleted (Enforce and Report list them as drift).
 * - Report keeps Ready=True with reason `DriftReported` (the topic serves; the differences are in
 *   status.drift). status.drift lists what still differs after this reconcile, for every policy but
 *   Ignore; under Enforce that is what Enforce cannot or must not undo.
 * - What cannot be done (a replication factor change; partitions above the spec under Enforce)
 *   sets Degraded=True with a message saying what to do, and Ready=True `SpecNotFullyApplied`:
 *   the topic serves. A refusal by the broker (INVALID_CONFIG, ...) sets Ready=False with the
 *   broker's message; retriable errors requeue with back-off, the others wait for a spec change.
 * - Deletion. The finalizer is always present while the resource lives. deletionPolicy Retain
 *   removes it; Delete deletes the topic (if it is this resource's) and then removes it. When the
 *   KafkaCluster is gone the finalizer is released at once; when the cluster is unreachable or keeps
 *   refusing, it is released `deletionTimeoutMs` after the deletionTimestamp, and the Ready
 *   condition and a Warning Event say so. A namespace can never hang on a KafkaTopic.
 */
import type { KafkaTopic, KafkaTopicStatus, TopicDrift } from '../../api/v1alpha1.js';
import { type AppliedConfig, appliedConfigOf, fingerprint, readAppliedConfig } from './applied-config.js';
import { type ConditionDraft, type ConditionDrafts, buildConditions, findCondition, formatTime, reasonFromErrorName } from './conditions.js';

export const TOPIC_FINALIZER = 'tributary.io/topic-protection';
export const DEFAULT_DELETION_TIMEOUT_MS = 5 * 60_000;
export const DEFAULT_RESYNC_MS = 5 * 60_000;

export interface PlanOptions {
  /** How long after the deletionTimestamp the finalizer waits for an unreachable cluster. */
  readonly deletionTimeoutMs: number;
  /** How often a converged topic is looked at again (Kafka sends no watch events). */
  readonly resyncMs: number;
}

/** The topic as Kafka reports it. */
export interface ObservedTopic {
  readonly name: string;
  readonly topicId: string;
  readonly partitions: number;
  /** The largest replica count of its partitions. */
  readonly replicationFactor: number;
  /** Topic-level overrides only (config source DYNAMIC_TOPIC_CONFIG), not defaults. */
  readonly configs: Readonly<Record<string, string>>;
}

export type Observation =
  | { readonly kind: 'present'; readonly topic: ObservedTopic }
  | { readonly kind: 'absent' }
  /** The cluster did not answer (connection refused, timeout). `message` says where and why. */
  | { readonly kind: 'unreachable'; readonly message: string }
  /** No bootstrapOverride and the KafkaCluster does not exist or is being deleted. */
  | { readonly kind: 'clusterGone'; readonly message: string };

export type TopicAction =
  | { readonly type: 'create'; readonly topic: string; readonly partitions: number; readonly replicas: number; readonly configs: Readonly<Record<string, string>> }
  | { readonly type: 'createPartitions'; readonly topic: string; readonly count: number }
  /** One IncrementalAlterConfigs resource: SET these, DELETE those (atomic in Kafka). */
  | { readonly type: 'alterConfigs'; readonly topic: string; readonly set: Readonly<Record<string, string>>; readonly delete: readonly string[] }
  | { readonly type: 'delete'; readonly topic: string };

/** An admin call the broker refused. */
export interface ActionFailure {
  /** The admin call; 'describe' when observing the topic failed. */
  readonly action: TopicAction['type'] | 'describe';
  /** Kafka's error name, e.g. INVALID_CONFIG. */
  readonly errorName: string;
  /** The broker's errorMessage, else the error table's explanation. */
  readonly message: string;
  readonly retriable: boolean;
}

export interface PlanInput {
  readonly resource: KafkaTopic;
  readonly observation: Observation;
  readonly nowMs: number;
  /** Set when re-planning after an action failed; the plan then has no actions. */
  readonly failure?: ActionFailure;
  readonly options?: Partial<PlanOptions>;
}

export interface TopicEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

export interface Requeue {
  /** A transient failure: look again with the work queue's exponential back-off. */
  readonly backoff: boolean;
  /** Look again after this long (with `backoff`: at the latest then); null: only on a change. */
  readonly afterMs: number | null;
}

export interface TopicPlan {
  readonly actions: readonly TopicAction[];
  readonly finalizer: 'add' | 'remove' | 'keep';
  /** The applied-config annotation to record (null: leave it as it is). */
  readonly appliedConfig: AppliedConfig | null;
  /** 'beforeActions' when the actions create the topic (ownership intent), else 'afterActions'. */
  readonly appliedConfigWhen: 'beforeActions' | 'afterActions';
  /** The status to write; null: write none (the resource is going away without news). */
  readonly status: KafkaTopicStatus | null;
  readonly events: readonly TopicEvent[];
  readonly requeue: Requeue;
}

interface Context {
  readonly resource: KafkaTopic;
  readonly topicName: string;
  readonly generation: number;
  readonly nowMs: number;
  readonly options: PlanOptions;
  readonly applied: AppliedConfig | null;
  readonly hasFinalizer: boolean;
}

/** The Kafka topic name a KafkaTopic stands for. */
export function topicNameOf(resource: KafkaTopic): string {
  return resource.spec.topicName ?? resource.metadata.name ?? '';
}

export function plan(input: PlanInput): TopicPlan {
  const { resource, observation } = input;
  const ctx: Context = {
    resource,
    topicName: topicNameOf(resource),
    generation: resource.metadata.generation ?? 0,
    nowMs: input.nowMs,
    options: { deletionTimeoutMs: DEFAULT_DELETION_TIMEOUT_MS, resyncMs: DEFAULT_RESYNC_MS, ...input.options },
    applied: readAppliedConfig(resource.metadata.annotations),
    hasFinalizer: resource.metadata.finalizers?.includes(TOPIC_FINALIZER) ?? false,
  };
  if (resource.metadata.deletionTimestamp !== undefined) return planDeletion(ctx, observation, input.failure);
  if (input.failure !== undefined) return planFailure(ctx, observation, input.failure);
  switch (observation.kind) {
    case 'unreachable':
      return planUnreachable(ctx, observation.message);
    case 'clusterGone':
      return planClusterGone(ctx, observation.message);
    case 'absent':
      return planCreate(ctx);
    case 'present':
      return isOwned(ctx, observation.topic) || ctx.resource.spec.adopt ? planConverge(ctx, observation.topic) : planConflict(ctx, observation.topic);
  }
}

// ---------------------------------------------------------------------------------------------
// Pieces shared by the paths below.

/** Whether `topic` is the one this resource created or adopted (see the module header). */
export function isOwned(ctx: Pick<Context, 'resource' | 'applied'>, topic: ObservedTopic): boolean {
  const known = ctx.resource.status?.topicId;
  if (known !== undefined && known !== '') return known === topic.topicId;
  return ctx.applied !== null;
}

const finalizerWhileLiving = (ctx: Context): 'add' | 'keep' => (ctx.hasFinalizer ? 'keep' : 'add');
const NO_REQUEUE: Requeue = { backoff: false, afterMs: null };
const BACKOFF: Requeue = { backoff: true, afterMs: null };
const resync = (ctx: Context): Requeue => ({ backoff: false, afterMs: ctx.options.resyncMs });

const draft = (status: ConditionDraft['status'], reason: string, message: string): ConditionDraft => ({ status, reason, message });

interface StatusFields {
  readonly topicId?: string | undefined;
  readonly partitions?: number | undefined;
  readonly drift?: readonly TopicDrift[] | undefined;
}

/** A full status (server-side apply replaces what the operator wrote before). */
function statusOf(ctx: Context, drafts: ConditionDrafts, fields: StatusFields): KafkaTopicStatus {
  const status: KafkaTopicStatus = {
    observedGeneration: ctx.generation,
    conditions: buildConditions(ctx.resource.status?.conditions, drafts, ctx.generation, ctx.nowMs),
    topicName: ctx.topicName,
  };
  if (fields.topicId !== undefined && fields.topicId !== '') status.topicId = fields.topicId;
  if (fields.partitions !== undefined) status.partitions = fields.partitions;
  if (fields.drift !== undefined && fields.drift.length > 0) status.drift = [...fields.drift];
  return status;
}

/** What the previous status knew about the topic, kept while Kafka cannot be asked. */
function previousFields(ctx: Context): StatusFields {
  const previous = ctx.resource.status;
  return { topicId: previous?.topicId, partitions: previous?.partitions, drift: previous?.drift };
}

/** A Warning Event for a Ready reason, only when the reason is new (no Event per retry). */
function eventOnNewReason(ctx: Context, reason: string, message: string): TopicEvent[] {
  return findCondition(ctx.resource.status?.conditions, 'Ready')?.reason === reason ? [] : [{ type: 'Warning', reason, message }];
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

// ---------------------------------------------------------------------------------------------
// The topic does not exist: create it.

function planCreate(ctx: Context): TopicPlan {
  const { spec } = ctx.resource;
  const configs = spec.config ?? {};
  const action: TopicAction = { type: 'create', topic: ctx.topicName, partitions: spec.partitions, replicas: spec.replicas, configs };
  const known = ctx.resource.status?.topicId;
  const events: TopicEvent[] =
    known !== undefined && known !== ''
      ? [{ type: 'Warning', reason: 'TopicRecreated', message: `Topic '${ctx.topicName}' (id ${known}) was missing in Kafka; creating it again.` }]
      : [];
  events.push({ type: 'Normal', reason: 'TopicCreated', message: `Created topic '${ctx.topicName}' with ${plural(spec.partitions, 'partition')} and replication factor ${spec.replicas}.` });
  const progressing = `Creating topic '${ctx.topicName}' in Kafka.`;
  return {
    actions: [action],
    finalizer: finalizerWhileLiving(ctx),
    appliedConfig: appliedConfigOf(configs),
    appliedConfigWhen: 'beforeActions',
    status: statusOf(ctx, {
      Ready: draft('False', 'Creating', progressing),
      Progressing: draft('True', 'Creating', progressing),
      Degraded: draft('False', 'AsExpected', 'Nothing keeps the topic from matching the spec.'),
    }, {}),
    events,
    requeue: resync(ctx),
  };
}

// ---------------------------------------------------------------------------------------------
// The topic exists and is this resource's (or is being adopted): converge it.

interface ConfigChanges {
  readonly set: Record<string, string>;
  readonly delete: string[];
  /** Keys set again under Enforce although the spec did not change: drift undone. */
  readonly reverted: string[];
  readonly drift: TopicDrift[];
}

/** See "Config" in the module header. */
export function configChanges(
  spec: Readonly<Record<string, string>>,
  applied: AppliedConfig | null,
  actual: Readonly<Record<string, string>>,
  policy: KafkaTopic['spec']['driftPolicy'],
): ConfigChanges {
  const changes: ConfigChanges = { set: {}, delete: [], reverted: [], drift: [] };
  for (const key of Object.keys(spec).sort()) {
    const desired = spec[key]!;
    const current = actual[key];
    if (current === desired) continue;
    const specChanged = applied?.[key] !== fingerprint(desired);
    if (specChanged || policy === 'Enforce') {
      changes.set[key] = desired;
      if (!specChanged) changes.reverted.push(key);
    } else if (policy === 'Report') {
      changes.drift.push(current === undefined ? { field: `config.${key}`, desired } : { field: `config.${key}`, desired, actual: bounded(current) });
    }
  }
  for (const key of Object.keys(applied ?? {}).sort()) {
    if (!(key in spec) && key in actual) changes.delete.push(key);
  }
  if (policy !== 'Ignore') {
    for (const key of Object.keys(actual).sort()) {
      if (!(key in spec) && !(key in (applied ?? {}))) changes.drift.push({ field: `config.${key}`, actual: bounded(actual[key]!) });
    }
  }
  return changes;
}

/** The CRD bounds drift values (spec values already are); a longer value from Kafka is cut, marked. */
const DRIFT_VALUE_LENGTH_MAX = 4096;
function bounded(value: string): string {
  return value.length <= DRIFT_VALUE_LENGTH_MAX ? value : `${value.slice(0, DRIFT_VALUE_LENGTH_MAX - 3)}...`;
}

interface ShapeFindings {
  readonly drift: TopicDrift[];
  readonly degraded: ConditionDraft[];
}

/** Partition count above the spec and replication factor changes: what Kafka or the operator cannot undo. */
function shapeFindings(ctx: Context, topic: ObservedTopic): ShapeFindings {
  const { spec } = ctx.resource;
  const findings: ShapeFindings = { drift: [], degraded: [] };
  const reporting = spec.driftPolicy !== 'Ignore';
  if (topic.partitions > spec.partitions) {
    if (reporting) findings.drift.push({ field: 'partitions', desired: String(spec.partitions), actual: String(topic.partitions) });
    if (spec.driftPolicy === 'Enforce') {
      findings.degraded.push(draft('True', 'PartitionsAboveSpec',
        `Topic '${ctx.topicName}' has ${plural(topic.partitions, 'partition')} in Kafka but spec.partitions is ${spec.partitions}; Kafka cannot remove partitions, so raise spec.partitions to ${topic.partitions}.`));
    }
  }
  if (topic.replicationFactor !== spec.replicas) {
    if (reporting) findings.drift.push({ field: 'replicas', desired: String(spec.replicas), actual: String(topic.replicationFactor) });
    findings.degraded.push(draft('True', 'ReplicationFactorChangeUnsupported',
      `spec.replicas is ${spec.replicas} but topic '${ctx.topicName}' has replication factor ${topic.replicationFactor} in Kafka. Changing the replication factor needs partition reassignment, which the operator cannot do yet: set spec.replicas back to ${topic.replicationFactor}.`));
  }
  return findings;
}

function convergeActions(ctx: Context, topic: ObservedTopic, changes: ConfigChanges): TopicAction[] {
  const actions: TopicAction[] = [];
  if (topic.partitions < ctx.resource.spec.partitions) actions.push({ type: 'createPartitions', topic: ctx.topicName, count: ctx.resource.spec.partitions });
  if (Object.keys(changes.set).length > 0 || changes.delete.length > 0) {
    actions.push({ type: 'alterConfigs', topic: ctx.topicName, set: changes.set, delete: changes.delete });
  }
  return actions;
}

function convergeEvents(ctx: Context, topic: ObservedTopic, adopting: boolean, changes: ConfigChanges): TopicEvent[] {
  const events: TopicEvent[] = [];
  const name = ctx.topicName;
  if (adopting) events.push({ type: 'Normal', reason: 'TopicAdopted', message: `Adopted the existing topic '${name}' (id ${topic.topicId}).` });
  if (topic.partitions < ctx.resource.spec.partitions) {
    events.push({ type: 'Normal', reason: 'PartitionsIncreased', message: `Increasing topic '${name}' from ${topic.partitions} to ${ctx.resource.spec.partitions} partitions.` });
  }
  if (changes.reverted.length > 0) {
    events.push({ type: 'Warning', reason: 'DriftReverted', message: `Config of topic '${name}' was changed in Kafka; setting ${changes.reverted.join(', ')} back to the spec (driftPolicy Enforce).` });
  }
  const updated = Object.keys(changes.set).filter((k) => !changes.reverted.includes(k));
  if (updated.length > 0 || changes.delete.length > 0) {
    const parts = [updated.length > 0 ? `setting ${updated.join(', ')}` : '', changes.delete.length > 0 ? `removing ${changes.delete.join(', ')}` : ''].filter((p) => p !== '');
    events.push({ type: 'Normal', reason: 'ConfigUpdated', message: `Updating the config of topic '${name}': ${parts.join('; ')}.` });
  }
  return events;
}

function readyWhenConverged(ctx: Context, topic: ObservedTopic, drift: readonly TopicDrift[], degraded: readonly ConditionDraft[]): ConditionDraft {
  const name = ctx.topicName;
  if (degraded.length > 0) return draft('True', 'SpecNotFullyApplied', `Topic '${name}' serves, but part of the spec cannot be applied; see the Degraded condition.`);
  if (drift.length === 0) {
    return draft('True', 'TopicReady', `Topic '${name}' matches the spec: ${plural(topic.partitions, 'partition')}, replication factor ${topic.replicationFactor}.`);
  }
  const fields = drift.map((d) => d.field).join(', ');
  const hint =
    ctx.resource.spec.driftPolicy === 'Report'
      ? 'driftPolicy Report leaves them: change them back in Kafka, put them in the spec, or set driftPolicy: Enforce.'
      : 'Keys set in Kafka that this resource never set are left alone: add them to spec.config to manage them.';
  return draft('True', 'DriftReported', `Topic '${name}' serves but differs from the spec in Kafka (${fields}); see status.drift. ${hint}`);
}

function planConverge(ctx: Context, topic: ObservedTopic): TopicPlan {
  const { spec } = ctx.resource;
  const adopting = !isOwned(ctx, topic);
  const changes = configChanges(spec.config ?? {}, adopting ? null : ctx.applied, topic.configs, spec.driftPolicy);
  const shape = shapeFindings(ctx, topic);
  const actions = convergeActions(ctx, topic, changes);
  const drift = [...shape.drift, ...changes.drift].sort((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
  const degraded = shape.degraded;
  const progressing =
    actions.length > 0
      ? draft('True', 'Updating', `Applying the spec to topic '${ctx.topicName}': ${actions.map((a) => a.type).join(', ')}.`)
      : draft('False', 'Reconciled', `Topic '${ctx.topicName}' is as close to the spec as the operator can bring it.`);
  const degradedDraft =
    degraded.length > 0 ? draft('True', degraded[0]!.reason, degraded.map((d) => d.message).join(' ')) : draft('False', 'AsExpected', 'Nothing keeps the topic from matching the spec.');
  return {
    actions,
    finalizer: finalizerWhileLiving(ctx),
    appliedConfig: appliedConfigOf(spec.config ?? {}),
    appliedConfigWhen: 'afterActions',
    status: statusOf(ctx, { Ready: readyWhenConverged(ctx, topic, drift, degraded), Progressing: progressing, Degraded: degradedDraft }, {
      topicId: topic.topicId,
      partitions: Math.max(topic.partitions, actions.some((a) => a.type === 'createPartitions') ? spec.partitions : 0),
      drift,
    }),
    events: [...convergeEvents(ctx, topic, adopting, changes), ...eventOnDegraded(ctx, degradedDraft)],
    requeue: resync(ctx),
  };
}

/** A Warning Event when the topic newly cannot match the spec (not on every resync). */
function eventOnDegraded(ctx: Context, degraded: ConditionDraft): TopicEvent[] {
  if (degraded.status !== 'True') return [];
  const before = findCondition(ctx.resource.status?.conditions, 'Degraded');
  const same = before?.status === 'True' && before.reason === degraded.reason && before.message === degraded.message;
  return same ? [] : [{ type: 'Warning', reason: degraded.reason, message: degraded.message }];
}

// ---------------------------------------------------------------------------------------------
// The topic exists but is not this resource's.

function planConflict(ctx: Context, topic: ObservedTopic): TopicPlan {
  const known = ctx.resource.status?.topicId;
  const recreated = known !== undefined && known !== '';
  const reason = recreated ? 'TopicRecreatedOutside' : 'TopicExists';
  const message = recreated
    ? `Topic '${ctx.topicName}' in Kafka has id ${topic.topicId}, not ${known} which this resource managed: it was deleted and created again outside the operator. Set spec.adopt: true to manage the new topic.`
    : `Topic '${ctx.topicName}' already exists in Kafka and this resource did not create it. Set spec.adopt: true to manage the existing topic, or choose another name with spec.topicName.`;
  return {
    actions: [],
    finalizer: finalizerWhileLiving(ctx),
    appliedConfig: null,
    appliedConfigWhen: 'afterActions',
    status: statusOf(ctx, { Ready: draft('False', reason, message), Progressing: draft('False', reason, message), Degraded: draft('True', reason, message) }, {
      topicId: known,
    }),
    events: eventOnNewReason(ctx, reason, message),
    requeue: resync(ctx),
  };
}

// ---------------------------------------------------------------------------------------------
// Kafka cannot be asked.

function planUnreachable(ctx: Context, why: string): TopicPlan {
  const message = `Cannot reach the Kafka cluster: ${why}. The operator retries with back-off; check that the brokers run and that the bootstrap address is right.`;
  return {
    actions: [],
    finalizer: finalizerWhileLiving(ctx),
    appliedConfig: null,
    appliedConfigWhen: 'afterActions',
    status: statusOf(ctx, {
      Ready: draft('Unknown', 'ClusterUnreachable', message),
      Progressing: draft('True', 'Retrying', message),
      Degraded: draft('True', 'ClusterUnreachable', message),
    }, previousFields(ctx)),
    events: eventOnNewReason(ctx, 'ClusterUnreachable', message),
    requeue: BACKOFF,
  };
}

function planClusterGone(ctx: Context, why: string): TopicPlan {
  const ref = ctx.resource.spec.clusterRef.name;
  const message = `${why}. Create KafkaCluster '${ref}', fix spec.clusterRef, or point spec.bootstrapOverride at the brokers.`;
  return {
    actions: [],
    finalizer: finalizerWhileLiving(ctx),
    appliedConfig: null,
    appliedConfigWhen: 'afterActions',
    status: statusOf(ctx, {
      Ready: draft('False', 'ClusterNotFound', message),
      Progressing: draft('True', 'WaitingForCluster', message),
      Degraded: draft('True', 'ClusterNotFound', message),
    }, previousFields(ctx)),
    events: eventOnNewReason(ctx, 'ClusterNotFound', message),
    requeue: BACKOFF,
  };
}

// ---------------------------------------------------------------------------------------------
// An admin call failed.

const VERBS: Readonly<Record<ActionFailure['action'], string>> = {
  describe: 'describe',
  create: 'create',
  createPartitions: 'add partitions to',
  alterConfigs: 'change the config of',
  delete: 'delete',
};

/** What the user should do about a refusal, by Kafka error name. */
const HINTS: Readonly<Record<string, string>> = {
  INVALID_CONFIG: 'Fix spec.config.',
  INVALID_REPLICATION_FACTOR: 'Set spec.replicas to at most the number of brokers.',
  INVALID_PARTITIONS: 'Check spec.partitions.',
  INVALID_REPLICA_ASSIGNMENT: 'Check spec.replicas against the brokers.',
  INVALID_TOPIC_EXCEPTION: 'Choose a valid Kafka topic name with spec.topicName (at most 249 characters of a-z A-Z 0-9 . _ -).',
  POLICY_VIOLATION: 'Change the spec to satisfy the cluster\'s topic policy.',
  TOPIC_AUTHORIZATION_FAILED: 'Grant the operator\'s principal access to the topic.',
  CLUSTER_AUTHORIZATION_FAILED: 'Grant the operator\'s principal access to the cluster.',
  TOPIC_DELETION_DISABLED: 'Enable delete.topic.enable on the brokers, or set deletionPolicy: Retain.',
};

export function failureMessage(topicName: string, failure: ActionFailure): string {
  const next = failure.retriable ? 'The operator retries with back-off.' : (HINTS[failure.errorName] ?? 'Fix the spec or the cluster; the operator tries again when the resource changes.');
  return `Kafka refused to ${VERBS[failure.action]} topic '${topicName}': ${failure.message} (${failure.errorName}). ${next}`;
}

function planFailure(ctx: Context, observation: Observation, failure: ActionFailure): TopicPlan {
  const reason = reasonFromErrorName(failure.errorName);
  const message = failureMessage(ctx.topicName, failure);
  const present = observation.kind === 'present' ? observation.topic : null;
  return {
    actions: [],
    finalizer: finalizerWhileLiving(ctx),
    appliedConfig: null,
    appliedConfigWhen: 'afterActions',
    status: statusOf(ctx, {
      Ready: draft('False', reason, message),
      Progressing: failure.retriable ? draft('True', 'Retrying', message) : draft('False', reason, message),
      Degraded: draft('True', reason, message),
    }, present === null ? previousFields(ctx) : { topicId: present.topicId, partitions: present.partitions }),
    events: eventOnNewReason(ctx, reason, message),
    requeue: failure.retriable ? BACKOFF : NO_REQUEUE,
  };
}

// ---------------------------------------------------------------------------------------------
// Deletion.

function released(ctx: Context, event: TopicEvent | null, status: KafkaTopicStatus | null = null): TopicPlan {
  return {
    actions: [],
    finalizer: ctx.hasFinalizer ? 'remove' : 'keep',
    appliedConfig: null,
    appliedConfigWhen: 'afterActions',
    status,
    events: event === null ? [] : [event],
    requeue: NO_REQUEUE,
  };
}

function planDeletion(ctx: Context, observation: Observation, failure: ActionFailure | undefined): TopicPlan {
  const name = ctx.topicName;
  if (!ctx.hasFinalizer) return released(ctx, null);
  if (ctx.resource.spec.deletionPolicy === 'Retain') {
    return released(ctx, { type: 'Normal', reason: 'TopicRetained', message: `Left topic '${name}' in Kafka (deletionPolicy Retain).` });
  }
  if (failure !== undefined) return planDeletionBlocked(ctx, failureMessage(name, failure), reasonFromErrorName(failure.errorName));
  switch (observation.kind) {
    case 'unreachable':
      return planDeletionBlocked(ctx, `cannot reach the Kafka cluster: ${observation.message}`, 'ClusterUnreachable');
    case 'clusterGone':
      return released(ctx, { type: 'Warning', reason: 'ClusterGone', message: `Released the finalizer without deleting topic '${name}': ${observation.message}.` });
    case 'absent':
      return released(ctx, null);
    case 'present':
      if (!isOwned(ctx, observation.topic)) {
        return released(ctx, { type: 'Normal', reason: 'TopicNotDeleted', message: `Left topic '${name}' in Kafka: this resource did not create or adopt it.` });
      }
      return {
        ...released(ctx, { type: 'Normal', reason: 'TopicDeleted', message: `Deleted topic '${name}' (id ${observation.topic.topicId}) from Kafka.` }),
        actions: [{ type: 'delete', topic: name }],
      };
  }
}

/** Deleting the topic is not possible now: wait, but never past the deletion timeout. */
function planDeletionBlocked(ctx: Context, why: string, reason: string): TopicPlan {
  const name = ctx.topicName;
  const deletionMs = Date.parse(ctx.resource.metadata.deletionTimestamp ?? '');
  const deadlineMs = (Number.isNaN(deletionMs) ? ctx.nowMs : deletionMs) + ctx.options.deletionTimeoutMs;
  const timeout = formatDuration(ctx.options.deletionTimeoutMs);
  if (ctx.nowMs >= deadlineMs) {
    const message = `Released the finalizer after ${timeout} without deleting topic '${name}': ${why}. The topic may still exist in Kafka; delete it by hand if it does.`;
    const status = statusOf(ctx, {
      Ready: draft('False', 'FinalizerReleased', message),
      Progressing: draft('False', 'FinalizerReleased', message),
      Degraded: draft('True', reason, message),
    }, previousFields(ctx));
    return released(ctx, { type: 'Warning', reason: 'FinalizerReleased', message }, status);
  }
  const message = `Waiting to delete topic '${name}': ${why}. If this persists, the finalizer is released at ${formatTime(deadlineMs)} (${timeout} after deletion) and the topic may stay in Kafka.`;
  return {
    actions: [],
    finalizer: 'keep',
    appliedConfig: null,
    appliedConfigWhen: 'afterActions',
    status: statusOf(ctx, {
      Ready: draft(reason === 'ClusterUnreachable' ? 'Unknown' : 'False', reason, message),
      Progressing: draft('True', 'Deleting', message),
      Degraded: draft('True', reason, message),
    }, previousFields(ctx)),
    events: eventOnNewReason(ctx, reason, message),
    requeue: { backoff: true, afterMs: Math.max(1, deadlineMs - ctx.nowMs) },
  };
}

/** 300000 -> "5m0s", 1500 -> "1.5s" (Go's time.Duration style, as kubectl users read it). */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${ms / 1000}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = (ms % 60_000) / 1000;
  return minutes >= 60 ? `${Math.floor(minutes / 60)}h${minutes % 60}m${seconds}s` : `${minutes}m${seconds}s`;
}
