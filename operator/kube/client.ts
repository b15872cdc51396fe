/**
 * `createKubeApi(kubeConfig)`: the `KubeApi` over a real API server. Authentication and TLS come
 * from `@kubernetes/client-node`'s `KubeConfig` (kubeconfig file or in-cluster service account);
 * REST calls are plain HTTPS requests built here, because client-node's generic object API has no
 * status subresource; watches use client-node's `Watch` for the streaming.
 *
 * Contracts beyond `api.ts`:
 * - Resource names (plural, namespaced or not) come from API discovery, cached per apiVersion for
 *   the life of the client (a CRD installed later is discovered on first use; a miss is not cached).
 * - Every request has a timeout (`requestTimeoutMs`); watches ask the server to end them after
 *   `watchTimeoutSeconds` and are then resumed from the last resourceVersion seen.
 * - This is an adapter: it reads the wall clock (event timestamps) and arms timers (watch back-off).
 */
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import { hostname } from 'node:os';
import { KubeConfig, Watch } from '@kubernetes/client-node';
import {
  FIELD_MANAGER,
  KubeApiError,
  type ApplyOptions,
  type KubeApi,
  type KubeEvent,
  type KubeObject,
  type ListOptions,
  type ObjectRef,
  type PropagationPolicy,
  type WatchHandle,
  type WatchHandler,
  type WatchOptions,
} from './api.js';

export interface KubeApiOptions {
  requestTimeoutMs?: number;
  watchTimeoutSeconds?: number;
  /** Shown as the Events' reportingInstance; default: the host name. */
  instance?: string;
  /** Watch reconnect back-off bounds. */
  watchBackoffMinMs?: number;
  watchBackoffMaxMs?: number;
}

interface ResourceInfo {
  readonly plural: string;
  readonly namespaced: boolean;
}

interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

const APPLY_PATCH = 'application/apply-patch+yaml';

/** Loads a KubeConfig: `$KUBECONFIG` or ~/.kube/config when present, in-cluster otherwise. */
export function loadKubeConfig(path?: string): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromDefault();
  return kc;
}

export function createKubeApi(kubeConfig: KubeConfig, options: KubeApiOptions = {}): KubeApi {
  return new HttpKubeApi(kubeConfig, options);
}

class HttpKubeApi implements KubeApi {
  private readonly discovery = new Map<string, Map<string, ResourceInfo>>();
  private readonly requestTimeoutMs: number;
  private readonly instance: string;

  constructor(
    private readonly kc: KubeConfig,
    private readonly options: KubeApiOptions,
  ) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.instance = options.instance ?? hostname();
  }

  async get<T extends KubeObject>(ref: ObjectRef): Promise<T | null> {
    const path = await this.objectPath(ref);
    const answer = await this.send('GET', path);
    if (answer.status === 404) return null;
    return this.parse<T>('GET', path, answer);
  }

  async list<T extends KubeObject>(apiVersion: string, kind: string, namespace: string | null, options: ListOptions = {}): Promise<T[]> {
    const { items } = await this.listWithVersion<T>(apiVersion, kind, namespace, options.labelSelector);
    return items;
  }

  async apply<T extends KubeObject>(object: KubeObject, options: ApplyOptions): Promise<T> {
    return this.applyTo<T>(object, options, '');
  }

  async applyStatus<T extends KubeObject>(object: KubeObject, options: ApplyOptions): Promise<T> {
    return this.applyTo<T>(object, options, '/status');
  }

  async delete(ref: ObjectRef, options: { propagationPolicy?: PropagationPolicy } = {}): Promise<boolean> {
    const path = await this.objectPath(ref);
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: options.propagationPolicy ?? 'Background' });
    const answer = await this.send('DELETE', path, body, 'application/json');
    if (answer.status === 404) return false;
    this.parse('DELETE', path, answer);
    return true;
  }

  watch(apiVersion: string, kind: string, namespace: string | null, handler: WatchHandler, options: WatchOptions = {}): WatchHandle {
    const loop = new WatchLoop(this, this.kc, { apiVersion, kind, namespace, handler, options, apiOptions: this.options });
    loop.start();
    return { stop: () => loop.stop() };
  }

  async emitEvent(involvedObject: KubeObject, event: KubeEvent): Promise<void> {
    const namespace = involvedObject.metadata.namespace ?? 'default';
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const body = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { generateName: `${involvedObject.metadata.name ?? 'object'}.`, namespace },
      involvedObject: {
        apiVersion: involvedObject.apiVersion,
        kind: involvedObject.kind,
        name: involvedObject.metadata.name,
        namespace,
        uid: involvedObject.metadata.uid,
        resourceVersion: involvedObject.metadata.resourceVersion,
      },
      type: event.type,
      reason: event.reason,
      message: event.message.slice(0, 1024),
      source: { component: FIELD_MANAGER },
      reportingComponent: `tributary.io/${FIELD_MANAGER}`,
      reportingInstance: this.instance.slice(0, 128),
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`;
    try {
      const answer = await this.send('POST', path, JSON.stringify(body), 'application/json');
      this.parse('POST', path, answer);
    } catch {
      // Events are best effort: a lost event must never fail a reconcile.
    }
  }

  // ---- internals, also used by WatchLoop ----

  async listWithVersion<T extends KubeObject>(
    apiVersion: string,
    kind: string,
    namespace: string | null,
    labelSelector: string | undefined,
  ): Promise<{ items: T[]; resourceVersion: string }> {
    const path = await this.collectionPath(apiVersion, kind, namespace);
    const query = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : '';
    const answer = await this.send('GET', path + query);
    const list = this.parse<{ items?: T[]; metadata?: { resourceVersion?: string } }>('GET', path, answer);
    // List items carry no apiVersion/kind; fill them in so callers can treat them as objects.
    const items = (list.items ?? []).map((item) => ({ ...item, apiVersion, kind }));
    return { items, resourceVersion: list.metadata?.resourceVersion ?? '' };
  }

  async collectionPath(apiVersion: string, kind: string, namespace: string | null): Promise<string> {
    const info = await this.resource(apiVersion, kind);
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    if (info.namespaced && namespace !== null) return `${base}/namespaces/${encodeURIComponent(namespace)}/${info.plural}`;
    return `${base}/${info.plural}`;
  }

  private async objectPath(ref: ObjectRef): Promise<string> {
    const info = await this.resource(ref.apiVersion, ref.kind);
    if (info.namespaced && !ref.namespace) throw new Error(`${ref.kind} ${ref.name}: a namespaced kind needs metadata.namespace`);
    const collection = await this.collectionPath(ref.apiVersion, ref.kind, info.namespaced ? ref.namespace! : null);
    return `${collection}/${encodeURIComponent(ref.name)}`;
  }

  private async applyTo<T extends KubeObject>(object: KubeObject, options: ApplyOptions, subresource: '' | '/status'): Promise<T> {
    const ref: ObjectRef = { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name ?? '' };
    if (object.metadata.namespace !== undefined) ref.namespace = object.metadata.namespace;
    const path = (await this.objectPath(ref)) + subresource;
    const query = `?fieldManager=${encodeURIComponent(options.fieldManager)}${options.force ? '&force=true' : ''}`;
    // JSON is YAML, and the apply content type takes either.
    const answer = await this.send('PATCH', path + query, JSON.stringify(object), APPLY_PATCH);
    return this.parse<T>('PATCH', path, answer);
  }

  private async resource(apiVersion: string, kind: string): Promise<ResourceInfo> {
    let kinds = this.discovery.get(apiVersion);
    if (!kinds?.has(kind)) {
      const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      const answer = await this.send('GET', path);
      const list = this.parse<{ resources?: Array<{ name: string; kind: string; namespaced: boolean }> }>('GET', path, answer);
      kinds = new Map();
      for (const r of list.resources ?? []) {
        if (!r.name.includes('/')) kinds.set(r.kind, { plural: r.name, namespaced: r.namespaced });
      }
      this.discovery.set(apiVersion, kinds);
    }
    const info = kinds.get(kind);
    if (!info) throw new KubeApiError(404, 'NotFound', `the server has no ${kind} in ${apiVersion}`, 'DISCOVER', apiVersion);
    return info;
  }

  private parse<T>(verb: string, path: string, answer: HttpAnswer): T {
    let body: unknown;
    try {
      body = answer.body === '' ? {} : JSON.parse(answer.body);
    } catch {
      body = { message: answer.body.slice(0, 500) };
    }
    if (answer.status >= 200 && answer.status < 300) return body as T;
    const status = body as { reason?: string; message?: string };
    throw new KubeApiError(answer.status, status.reason ?? 'Unknown', status.message ?? '', verb, path);
  }

  async send(method: string, path: string, body?: string, contentType?: string): Promise<HttpAnswer> {
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    const url = new URL(cluster.server.replace(/\/$/, '') + path);
    const options: RequestOptions = { method, headers: { accept: 'application/json' }, timeout: this.requestTimeoutMs };
    await this.kc.applyToHTTPSOptions(options);
    const headers = options.headers as Record<string, string>;
    if (body !== undefined) {
      headers['content-type'] = contentType ?? 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in ${this.requestTimeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}

interface WatchLoopOptions {
  apiVersion: string;
  kind: string;
  namespace: string | null;
  handler: WatchHandler;
  options: WatchOptions;
  apiOptions: KubeApiOptions;
}

/**
 * One watch: list, then watch from the list's resourceVersion, resume from the last version seen
 * when the server ends the watch, re-list on 410 Gone, back off (doubling, capped) on errors.
 */
class WatchLoop {
  private stopped = false;
  private abort: AbortController | null = null;
  private timer: NodeJS.Timeout | null = null;
  private resourceVersion = '';
  private failures = 0;

  constructor(
    private readonly api: HttpKubeApi,
    private readonly kc: KubeConfig,
    private readonly o: WatchLoopOptions,
  ) {}

  start(): void {
    void this.cycle();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.abort?.abort();
  }

  private deliver(object: KubeObject): void {
    if (this.stopped) return;
    this.o.handler({ ...object, apiVersion: object.apiVersion ?? this.o.apiVersion, kind: object.kind ?? this.o.kind });
  }

  private async cycle(): Promise<void> {
    if (this.stopped) return;
    try {
      if (this.resourceVersion === '') {
        const { items, resourceVersion } = await this.api.listWithVersion(this.o.apiVersion, this.o.kind, this.o.namespace, this.o.options.labelSelector);
        for (const item of items) this.deliver(item);
        this.resourceVersion = resourceVersion;
      }
      const ended = await this.watchOnce();
      if (ended === 'gone') this.resourceVersion = '';
      this.failures = 0;
      this.schedule(0);
    } catch (error) {
      if (this.stopped) return;
      this.failures += 1;
      this.o.options.onError?.(error);
      const min = this.o.apiOptions.watchBackoffMinMs ?? 200;
      const max = this.o.apiOptions.watchBackoffMaxMs ?? 10_000;
      this.schedule(Math.min(max, min * 2 ** Math.min(this.failures - 1, 16)));
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.cycle(), delayMs);
  }

  /** Resolves 'ended' when the server closed the watch normally, 'gone' on 410; rejects on errors. */
  private async watchOnce(): Promise<'ended' | 'gone'> {
    const path = await this.api.collectionPath(this.o.apiVersion, this.o.kind, this.o.namespace);
    const query: Record<string, string | number | boolean | undefined> = {
      resourceVersion: this.resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds: this.o.apiOptions.watchTimeoutSeconds ?? 300,
    };
    if (this.o.options.labelSelector) query['labelSelector'] = this.o.options.labelSelector;
    let gone = false;
    return new Promise((resolve, reject) => {
      const onEvent = (phase: string, object: KubeObject & { code?: number }) => {
        if (phase === 'ERROR') {
          if (object.code === 410) gone = true;
          return;
        }
        const version = object.metadata?.resourceVersion;
        if (version) this.resourceVersion = version;
        if (phase !== 'BOOKMARK') this.deliver(object);
      };
      const onDone = (error: unknown) => {
        this.abort = null;
        if (this.stopped) resolve('ended');
        else if (gone) resolve('gone');
        else if (error && !isAbort(error)) reject(error);
        else resolve('ended');
      };
      new Watch(this.kc)
        .watch(path, query, onEvent, onDone)
        .then((controller) => {
          this.abort = controller;
          if (this.stopped) controller.abort();
        })
        .catch(reject);
    });
  }
}

function isAbort(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: string }).name === 'AbortError';
}
