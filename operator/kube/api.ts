/**
 * `KubeApi`: the narrow interface every controller uses to talk to the Kubernetes API server
 * (STYLE rule 5). `client.ts` implements it over `@kubernetes/client-node`'s KubeConfig; tests wrap
 * it (e.g. to count writes) rather than fake it: the operator is tested against a real API server
 * (rule 19).
 *
 * Contracts:
 * - Objects are plain JSON as the API server serves them (`KubeObject`); kinds are addressed by
 *   `apiVersion` + `kind`, the plural resource name is discovered and cached by the implementation.
 * - Reads return `null` on 404 instead of throwing; every other failure throws `KubeApiError`
 *   carrying the HTTP status and the API server's `Status.reason`.
 * - Writes to spec are server-side apply (`application/apply-patch+yaml`) under one field manager,
 *   `FIELD_MANAGER`, so GitOps tools see exactly which fields the operator owns.
 * - `watch` is level-triggered for its callers: the handler receives objects, never event types
 *   (added/modified/deleted), so no caller can branch on them (rule 16). A deleted object is
 *   delivered one last time with its final state; the caller re-reads and finds it gone. The watch
 *   lists first (every existing object reaches the handler), re-lists after the API server expires
 *   its resourceVersion (410 Gone), and reconnects with back-off until `stop()`.
 */

/** The one field manager of every operator write (spec and status). */
export const FIELD_MANAGER = 'tributary-operator';

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  subresource?: string;
  fieldsV1?: Record<string, unknown>;
}

export interface KubeObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  managedFields?: ManagedFieldsEntry[];
}

/** Any Kubernetes object, as JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: KubeObjectMeta;
  [field: string]: unknown;
}

/** Names one object. `namespace` is absent for cluster-scoped kinds. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface ListOptions {
  /** A label selector such as `app.kubernetes.io/instance=demo,app.kubernetes.io/managed-by=tributary-operator`. */
  labelSelector?: string;
}

export interface ApplyOptions {
  fieldManager: string;
  /** Take over fields another manager owns instead of failing with 409 Conflict. */
  force?: boolean;
}

export type PropagationPolicy = 'Foreground' | 'Background' | 'Orphan';

export interface KubeEvent {
  type: 'Normal' | 'Warning';
  /** CamelCase, e.g. `ClusterReady`, `InvalidConfig`. */
  reason: string;
  message: string;
}

/** Called with each object the watch sees (current state; final state for a deletion). */
export type WatchHandler = (object: KubeObject) => void;

export interface WatchHandle {
  /** Ends the watch; no handler call happens after it returns. Idempotent. */
  stop(): void;
}

export interface WatchOptions {
  /** Told about connection failures (the watch keeps retrying on its own). */
  onError?: (error: unknown) => void;
  labelSelector?: string;
}

export interface KubeApi {
  /** Reads one object; `null` when it does not exist (404). */
  get<T extends KubeObject = KubeObject>(ref: ObjectRef): Promise<T | null>;

  /** Lists the objects of a kind in one namespace, or in all namespaces when `namespace` is null. */
  list<T extends KubeObject = KubeObject>(apiVersion: string, kind: string, namespace: string | null, options?: ListOptions): Promise<T[]>;

  /**
   * Server-side apply of `object` (which names itself by apiVersion, kind, metadata.name and
   * metadata.namespace): the fields in it become owned by `fieldManager`, fields that manager
   * applied before and left out now are removed. Returns the object as stored.
   */
  apply<T extends KubeObject = KubeObject>(object: KubeObject, options: ApplyOptions): Promise<T>;

  /** Server-side apply on the `status` subresource; `object` carries identity and `status` only. */
  applyStatus<T extends KubeObject = KubeObject>(object: KubeObject, options: ApplyOptions): Promise<T>;

  /** Deletes one object; `false` when it was already gone (404). */
  delete(ref: ObjectRef, options?: { propagationPolicy?: PropagationPolicy }): Promise<boolean>;

  /** Watches a kind (one namespace, or all when null); see the module header for the contract. */
  watch(apiVersion: string, kind: string, namespace: string | null, handler: WatchHandler, options?: WatchOptions): WatchHandle;

  /** Records a core/v1 Event about `involvedObject` (best effort: failures are swallowed and logged). */
  emitEvent(involvedObject: KubeObject, event: KubeEvent): Promise<void>;
}

/** A failed API call: HTTP status plus the API server's `Status.reason` and message. */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';

  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly verb: string,
    readonly path: string,
  ) {
    super(`${verb} ${path}: ${status} ${reason}: ${message}`);
  }

  /** The request was well-formed but the object is invalid (422) or forbidden by policy (400). */
  get isInvalid(): boolean {
    return this.status === 422 || this.status === 400;
  }

  get isConflict(): boolean {
    return this.status === 409;
  }

  get isNotFound(): boolean {
    return this.status === 404;
  }
}

/** The ref of an object. */
export function refOf(object: KubeObject): ObjectRef {
  const ref: ObjectRef = { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name ?? '' };
  if (object.metadata.namespace !== undefined) ref.namespace = object.metadata.namespace;
  return ref;
}

/** `namespace/name` (or `name` when cluster-scoped): the work-queue key of an object. */
export function keyOf(object: { metadata: { name?: string; namespace?: string } }): string {
  const name = object.metadata.name ?? '';
  return object.metadata.namespace ? `${object.metadata.namespace}/${name}` : name;
}

/** Splits a `keyOf` key. */
export function parseKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
