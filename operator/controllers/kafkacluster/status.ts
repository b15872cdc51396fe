/**
 * Conditions (STYLE rule 17): `Ready`, `Progressing`, `Degraded`, each with reason, message and
 * observedGeneration. Pure helpers shared by the plan: setting a condition keeps its
 * lastTransitionTime unless its status flips; `transitions` lists the flips, for Events.
 */
import type { Condition, ConditionType } from '../../api/v1alpha1.js';

export interface ConditionInput {
  readonly type: ConditionType;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
}

/** metav1.Time: RFC 3339, whole seconds. */
export function metaTime(nowMs: number): string {
  return new Date(nowMs).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** The conditions to write: `inputs` in order, each keeping its previous transition time if unchanged. */
export function mergeConditions(previous: readonly Condition[] | undefined, inputs: readonly ConditionInput[], generation: number, nowMs: number): Condition[] {
  return inputs.map((input) => {
    const before = previous?.find((c) => c.type === input.type);
    const lastTransitionTime = before && before.status === input.status ? before.lastTransitionTime : metaTime(nowMs);
    return { ...input, observedGeneration: generation, lastTransitionTime };
  });
}

export interface ConditionTransition {
  readonly type: ConditionType;
  readonly from: string | null;
  readonly to: Condition;
}

/** Conditions whose status differs from before (a new condition counts as a transition). */
export function transitions(previous: readonly Condition[] | undefined, next: readonly Condition[]): ConditionTransition[] {
  const out: ConditionTransition[] = [];
  for (const condition of next) {
    const before = previous?.find((c) => c.type === condition.type);
    if (!before || before.status !== condition.status) out.push({ type: condition.type, from: before?.status ?? null, to: condition });
  }
  return out;
}

export function conditionOf(conditions: readonly Condition[] | undefined, type: ConditionType): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}
