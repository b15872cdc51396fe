/**
 * Compare before you patch: server-side apply only when the desired object differs from what the
 * field manager last applied, so reconciling the same spec twice writes nothing (issue 3, item 3).
 *
 * How "differs" is decided (pure, `needsApply`):
 * 1. every applied object carries `APPLIED_HASH_ANNOTATION`, the content hash of the desired object
 *    without that annotation. A different hash means the desired state changed since the last apply
 *    (this also catches fields that were dropped from the desired object, which SSA then removes);
 * 2. with equal hashes, every field of the desired object must still hold its value in the observed
 *    object (a subset check, tolerant of server defaults and of numbers written as strings), which
 *    catches someone else overwriting a field the operator owns (e.g. `kubectl edit`).
 * Known limit: a value the API server rewrites into another form (a quantity such as "0.5" stored
 * as "500m") fails check 2 every time and costs one no-op apply per reconcile; write canonical forms.
 */
import { FIELD_MANAGER, type KubeApi, type KubeObject } from './api.js';
import { contentHash } from './hash.js';

export const APPLIED_HASH_ANNOTATION = 'tributary.io/applied-hash';

/** `desired` with the applied-hash annotation added (the hash covers everything else). */
export function withAppliedHash<T extends KubeObject>(desired: T): T {
  const hash = contentHash(desired);
  return {
    ...desired,
    metadata: { ...desired.metadata, annotations: { ...desired.metadata.annotations, [APPLIED_HASH_ANNOTATION]: hash } },
  };
}

/** True when `value` (desired) is contained in `actual` (observed): see the module header. */
export function isContainedIn(value: unknown, actual: unknown): boolean {
  if (value === undefined) return true;
  if (Array.isArray(value)) {
    if (value.length === 0) return actual === undefined || actual === null || (Array.isArray(actual) && actual.length === 0);
    return Array.isArray(actual) && actual.length === value.length && value.every((item, i) => isContainedIn(item, actual[i]));
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (actual === undefined || actual === null) return entries.every(([, v]) => isEmptyish(v));
    if (typeof actual !== 'object' || Array.isArray(actual)) return false;
    return entries.every(([k, v]) => isContainedIn(v, (actual as Record<string, unknown>)[k]));
  }
  if (typeof value === 'number' || typeof actual === 'number') return String(value) === String(actual);
  return value === actual;
}

function isEmptyish(value: unknown): boolean {
  if (value === undefined) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (value !== null && typeof value === 'object') return Object.values(value).every(isEmptyish);
  return false;
}

/** Whether `desired` (already carrying its applied hash) must be applied over `observed`. */
export function needsApply(desired: KubeObject, observed: KubeObject | null | undefined): boolean {
  if (!observed) return true;
  const want = desired.metadata.annotations?.[APPLIED_HASH_ANNOTATION];
  const have = observed.metadata.annotations?.[APPLIED_HASH_ANNOTATION];
  if (want === undefined || want !== have) return true;
  return !isContainedIn(desired, observed);
}

export interface ApplyResult<T extends KubeObject> {
  readonly object: T;
  /** False when nothing was sent: the observed object already matched. */
  readonly written: boolean;
}

/** Applies `desired` (hash added here) unless `observed` already matches it. */
export async function applyIfChanged<T extends KubeObject>(
  api: KubeApi,
  desired: KubeObject,
  observed: KubeObject | null | undefined,
  options: { fieldManager?: string; force?: boolean } = {},
): Promise<ApplyResult<T>> {
  const stamped = withAppliedHash(desired);
  if (!needsApply(stamped, observed)) return { object: observed as T, written: false };
  const object = await api.apply<T>(stamped, { fieldManager: options.fieldManager ?? FIELD_MANAGER, force: options.force ?? true });
  return { object, written: true };
}
