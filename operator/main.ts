/**
 * The operator process: `node --import tsx operator/main.ts` (or the bundle `node dist/operator.mjs` that `npm run build` writes).
 *
 * - Kubernetes access: `$KUBECONFIG` / ~/.kube/config when present, else the in-cluster service
 *   account (client-node's `loadFromDefault`).
 * - Watched namespaces: `WATCH_NAMESPACES` (comma-separated; empty or unset = all namespaces).
 * - Leader election: a `coordination.k8s.io/v1` Lease `LEASE_NAME` (default tributary-operator) in
 *   `LEASE_NAMESPACE` (default: `POD_NAMESPACE`, else `default`); identity `OPERATOR_IDENTITY`
 *   (default: pod/host name plus a random suffix). Only the leader runs controllers; losing the
 *   lease stops them, winning it again starts fresh ones. `LEADER_ELECTION=false` disables it.
 *   `LEASE_DURATION_MS`, `RENEW_DEADLINE_MS`, `RETRY_PERIOD_MS` tune it (defaults 15 s, 10 s, 2 s).
 * - Controllers: KafkaCluster and KafkaTopic. Broker image default `TRIBUTARY_DEFAULT_BROKER_IMAGE`,
 *   DNS domain `CLUSTER_DOMAIN` (default cluster.local).
 * - HTTP (fastify) on `HTTP_ADDRESS` (default 0.0.0.0:8080): GET /metrics (Prometheus), GET /healthz.
 * - Logs: one JSON object per line on stderr (`TRIBUTARY_LOG_LEVEL` sets the level).
 * - SIGTERM / SIGINT: stop the controllers (in-flight reconciles finish), release the lease, close
 *   the HTTP server, exit 0.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { createLogger, type Logger } from '../broker/io/logger.js';
import { systemClock, type Clock } from './runtime/clock.js';
import type { Controller } from './runtime/controller.js';
import { LeaderElector } from './runtime/leader-election.js';
import type { KubeApi } from './kube/api.js';
import { createKubeApi, loadKubeConfig } from './kube/client.js';
import { kafkaClusterController } from './controllers/kafkacluster/index.js';
import { kafkaTopicController } from './controllers/kafkatopic/index.js';
import { createOperatorMetrics, type OperatorMetrics } from './metrics.js';

export interface OperatorConfig {
  readonly namespaces: readonly string[] | null;
  readonly leaderElection: boolean;
  readonly leaseNamespace: string;
  readonly leaseName: string;
  readonly identity: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  readonly defaultImage: string;
  readonly clusterDomain: string;
  readonly httpHost: string;
  readonly httpPort: number;
}

function numberFrom(value: string | undefined, fallback: number): number {
  const n = value === undefined || value === '' ? NaN : Number(value);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

export function configFromEnv(env: NodeJS.ProcessEnv): OperatorConfig {
  const namespaces = (env['WATCH_NAMESPACES'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const [host, port] = (env['HTTP_ADDRESS'] ?? '0.0.0.0:8080').split(/:(?=\d+$)/);
  return {
    namespaces: namespaces.length === 0 ? null : namespaces,
    leaderElection: env['LEADER_ELECTION'] !== 'false',
    leaseNamespace: env['LEASE_NAMESPACE'] || env['POD_NAMESPACE'] || 'default',
    leaseName: env['LEASE_NAME'] || 'tributary-operator',
    identity: env['OPERATOR_IDENTITY'] || `${env['POD_NAME'] || hostname()}_${randomBytes(4).toString('hex')}`,
    leaseDurationMs: numberFrom(env['LEASE_DURATION_MS'], 15_000),
    renewDeadlineMs: numberFrom(env['RENEW_DEADLINE_MS'], 10_000),
    retryPeriodMs: numberFrom(env['RETRY_PERIOD_MS'], 2_000),
    defaultImage: env['TRIBUTARY_DEFAULT_BROKER_IMAGE'] || 'tributary:latest',
    clusterDomain: env['CLUSTER_DOMAIN'] || 'cluster.local',
    httpHost: host || '0.0.0.0',
    httpPort: numberFrom(port, 8080),
  };
}

/** A Kafka cluster id: a random UUID in Kafka's 22-character URL-safe base64. */
export function newKafkaClusterId(): string {
  return Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url');
}

export interface RunningOperator {
  readonly http: FastifyInstance;
  readonly metrics: OperatorMetrics;
  isLeader(): boolean;
  stop(): Promise<void>;
}

export async function startOperator(config: OperatorConfig, deps: { api: KubeApi; clock?: Clock; logger: Logger }): Promise<RunningOperator> {
  const clock = deps.clock ?? systemClock;
  const log = deps.logger;
  const metrics = createOperatorMetrics();
  let controllers: Controller[] = [];
  let leading = false;

  const startControllers = () => {
    leading = true;
    metrics.setLeader(true);
    const common = { api: deps.api, clock, logger: log, namespaces: config.namespaces, metrics };
    controllers = [
      kafkaClusterController({ ...common, newClusterId: newKafkaClusterId, options: { defaultImage: config.defaultImage, clusterDomain: config.clusterDomain } }),
      kafkaTopicController(common),
    ];
    for (const c of controllers) c.start();
  };
  const stopControllers = async () => {
    leading = false;
    metrics.setLeader(false);
    const stopping = controllers.splice(0);
    await Promise.all(stopping.map((c) => c.stop()));
  };

  const elector = config.leaderElection
    ? new LeaderElector({
        api: deps.api,
        clock,
        logger: log,
        identity: config.identity,
        namespace: config.leaseNamespace,
        name: config.leaseName,
        leaseDurationMs: config.leaseDurationMs,
        renewDeadlineMs: config.renewDeadlineMs,
        retryPeriodMs: config.retryPeriodMs,
        onStartedLeading: startControllers,
        onStoppedLeading: () => void stopControllers(),
      })
    : null;

  const http = Fastify({ logger: false });
  http.get('/healthz', async () => ({ status: 'ok', leader: leading, identity: config.identity }));
  http.get('/metrics', async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  await http.listen({ host: config.httpHost, port: config.httpPort });
  const address = http.server.address();
  log.info('operator started', {
    identity: config.identity,
    namespaces: config.namespaces ?? 'all',
    leaderElection: config.leaderElection,
    http: typeof address === 'object' && address ? `${address.address}:${address.port}` : String(address),
  });

  if (elector) elector.start();
  else startControllers();

  let stopped = false;
  return {
    http,
    metrics,
    isLeader: () => leading,
    async stop() {
      if (stopped) return;
      stopped = true;
      log.info('operator stopping');
      await stopControllers();
      await elector?.stop();
      await http.close();
      log.info('operator stopped');
    },
  };
}

async function main(): Promise<void> {
  const logger = createLogger({ format: 'json', component: 'operator' });
  const config = configFromEnv(process.env);
  const api = createKubeApi(loadKubeConfig(), { instance: config.identity });
  const operator = await startOperator(config, { api, logger });
  let exiting = false;
  const shutdown = (signal: string) => {
    if (exiting) return;
    exiting = true;
    logger.info('signal received; shutting down', { signal });
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    operator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('shutdown failed', { error: String(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    createLogger({ format: 'json', component: 'operator' }).error('operator failed to start', { error: String(error) });
    process.exit(1);
  });
}
