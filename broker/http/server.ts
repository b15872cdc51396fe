/**
 * The broker's HTTP side (fastify), on `tributary.http.listener`:
 * - GET /metrics  Prometheus text format from the broker's own registry;
 * - GET /healthz  200 while the process can answer at all (liveness);
 * - GET /readyz   200 when `isReady()` says the broker serves Kafka requests, else 503 with a JSON
 *                 reason (readiness: start-up log recovery, shutdown, lost metadata).
 * `buildHttpApp` gives the fastify instance without listening, so tests use `inject()`;
 * `startHttpServer` listens and returns the bound port (port 0 picks a free one).
 * Fastify's own request logging is off; start-up and failures go to the broker logger.
 *
 * Start-up cost: fastify is imported on first use (the broker starts HTTP after its Kafka listeners),
 * not when this module loads, and the routes carry no JSON schemas, so fastify's schema compilers
 * (ajv, fast-json-stringify: about 40 ms to load and set up) are replaced by ones that refuse to compile.
 */
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { Logger } from '../io/logger.js';
import type { BrokerMetrics } from './metrics.js';

/** `true`/`false`, or a reason to show when not ready. */
export type Readiness = boolean | { readonly ready: boolean; readonly reason?: string };

export interface HttpAppOptions {
  readonly metrics: BrokerMetrics;
  readonly isReady: () => Readiness;
  readonly logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
}

export interface HttpServerOptions extends HttpAppOptions {
  readonly host: string;
  readonly port: number;
}

export interface RunningHttpServer {
  readonly port: number;
  close(): Promise<void>;
}

/** The routes here have no schemas; a route given one fails at registration with this message. */
function noSchemaCompiler(): never {
  throw new Error('the broker HTTP routes carry no schemas (see NO_SCHEMA_COMPILERS in broker/http/server.ts)');
}

const NO_SCHEMA_COMPILERS: FastifyServerOptions['schemaController'] = {
  compilersFactory: { buildValidator: noSchemaCompiler, buildSerializer: noSchemaCompiler },
};

export async function buildHttpApp(options: HttpAppOptions): Promise<FastifyInstance> {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false, schemaController: NO_SCHEMA_COMPILERS });
  app.get('/metrics', async (_request, reply) => {
    const body = await options.metrics.render();
    return reply.header('content-type', options.metrics.contentType).send(body);
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const readiness = readinessOf(options.isReady);
    if (readiness.ready) return { status: 'ready' };
    return reply.code(503).send({ status: 'not ready', reason: readiness.reason });
  });
  app.setErrorHandler((error: Error, request, reply) => {
    options.logger?.error('HTTP request failed', { url: request.url, error: error.message });
    void reply.code(500).send({ status: 'error', reason: error.message });
  });
  return app;
}

function readinessOf(isReady: () => Readiness): { ready: boolean; reason: string } {
  try {
    const answer = isReady();
    if (typeof answer === 'boolean') return { ready: answer, reason: answer ? '' : 'broker is not ready' };
    return { ready: answer.ready, reason: answer.reason ?? (answer.ready ? '' : 'broker is not ready') };
  } catch (error) {
    return { ready: false, reason: `readiness check failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const app = await buildHttpApp(options);
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  options.logger?.info(`HTTP server listening on ${options.host}:${port} (/metrics, /healthz, /readyz)`);
  return {
    port,
    close: () => app.close(),
  };
}
