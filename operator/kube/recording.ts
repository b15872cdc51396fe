/**
 * A `KubeApi` wrapper that records every call (verb, kind, namespace/name) before passing it on.
 * Tests use it to prove "a second reconcile of the same spec writes nothing"; it is also a seam for
 * fault injection (`fail` may throw for chosen calls, as a faulty twin would).
 */
import type { KubeApi, KubeObject, ObjectRef } from './api.js';

export type KubeVerb = 'get' | 'list' | 'apply' | 'applyStatus' | 'delete' | 'watch' | 'emitEvent';

export interface KubeCall {
  readonly verb: KubeVerb;
  readonly kind: string;
  /** namespace/name, or the namespace (or '*') for list and watch. */
  readonly target: string;
}

export const WRITE_VERBS: ReadonlySet<KubeVerb> = new Set(['apply', 'applyStatus', 'delete']);

export interface RecordingKubeApi {
  readonly api: KubeApi;
  readonly calls: KubeCall[];
  /** The recorded apply, applyStatus and delete calls. */
  writes(): KubeCall[];
  /** Forget what was recorded so far. */
  reset(): void;
}

export function recordingKubeApi(inner: KubeApi, fail?: (call: KubeCall) => void): RecordingKubeApi {
  const calls: KubeCall[] = [];
  const record = (verb: KubeVerb, kind: string, target: string) => {
    const call = { verb, kind, target };
    calls.push(call);
    fail?.(call);
  };
  const name = (o: ObjectRef | KubeObject) => {
    const meta = 'metadata' in o ? o.metadata : o;
    return `${meta.namespace ?? ''}/${meta.name ?? ''}`;
  };
  const api: KubeApi = {
    get: (ref) => (record('get', ref.kind, name(ref)), inner.get(ref)),
    list: (apiVersion, kind, namespace, options) => (record('list', kind, namespace ?? '*'), inner.list(apiVersion, kind, namespace, options)),
    apply: (object, options) => (record('apply', object.kind, name(object)), inner.apply(object, options)),
    applyStatus: (object, options) => (record('applyStatus', object.kind, name(object)), inner.applyStatus(object, options)),
    delete: (ref, options) => (record('delete', ref.kind, name(ref)), inner.delete(ref, options)),
    watch: (apiVersion, kind, namespace, handler, options) => (record('watch', kind, namespace ?? '*'), inner.watch(apiVersion, kind, namespace, handler, options)),
    emitEvent: (object, event) => (record('emitEvent', object.kind, name(object)), inner.emitEvent(object, event)),
  };
  return {
    api,
    calls,
    writes: () => calls.filter((c) => WRITE_VERBS.has(c.verb)),
    reset: () => void calls.splice(0, calls.length),
  };
}
