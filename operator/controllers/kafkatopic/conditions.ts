/**
 * Conditions for a KafkaTopic's status, as metav1.Condition: one each of Ready, Progressing and
 * Degraded, each carrying the generation it was computed from.
 *
 * `lastTransitionTime` changes only when a condition's status changes (not its reason or message),
 * as the Kubernetes API conventions ask; so an unchanged observation yields an identical status and
 * the driver can skip the write. Times are RFC 3339 with whole seconds, the way the API server
 * stores metav1.Time, so a value read back compares equal to the one written.
 *
 * Pure: time comes in as `nowMs`.
 */
import type { Condition, ConditionType } from '../../api/v1alpha1.js';

export type ConditionStatus = Condition['status'];

/** What the planner decides for one condition; the time and generation are filled in here. */
export interface ConditionDraft {
  readonly status: ConditionStatus;
  readonly reason: string;
  readonly message: string;
}

export type ConditionDrafts = Readonly<Record<ConditionType, ConditionDraft>>;

/** metav1.Condition's bound on messages (a broker's text could be longer). */
const MESSAGE_LENGTH_MAX = 32_768;

/** Order of the conditions in status (stable, so equal states serialise equally). */
const ORDER: readonly ConditionType[] = ['Ready', 'Progressing', 'Degraded'];

/** metav1.Time: RFC 3339, whole seconds, UTC. */
export function formatTime(nowMs: number): string {
  return new Date(Math.floor(nowMs / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The conditions to write, keeping each previous `lastTransitionTime` whose status did not change. */
export function buildConditions(
  previous: readonly Condition[] | undefined,
  drafts: ConditionDrafts,
  generation: number,
  nowMs: number,
): Condition[] {
  return ORDER.map((type) => {
    const draft = drafts[type];
    const before = previous?.find((c) => c.type === type);
    const lastTransitionTime = before !== undefined && before.status === draft.status ? before.lastTransitionTime : formatTime(nowMs);
    const message = draft.message.length <= MESSAGE_LENGTH_MAX ? draft.message : `${draft.message.slice(0, MESSAGE_LENGTH_MAX - 3)}...`;
    return { type, status: draft.status, observedGeneration: generation, lastTransitionTime, reason: draft.reason, message };
  });
}

/** The condition of a type in a list, if any. */
export function findCondition(conditions: readonly Condition[] | undefined, type: ConditionType): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** KAFKA_ERROR_NAME -> KafkaErrorName, a valid condition reason. */
export function reasonFromErrorName(name: string): string {
  const camel = name
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((part) => part !== '')
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
  return /^[A-Za-z]/.test(camel) ? camel : `Error${camel}`;
}
