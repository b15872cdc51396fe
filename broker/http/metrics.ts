/**
 * Broker metrics on a private prom-client Registry (never the global one, so several brokers in one
 * process, as in tests, do not share counters). Names are `tributary_*`, units last, Prometheus style.
 *
 * Callers report facts (`recordProduce`, `observeRequest`, ...); values that are cheap to read but
 * costly to push (log sizes) are pulled on scrape through a callback. Message counts are what the
 * batch headers say (record counts), not a per-record walk.
 * Timing is measured by the caller (broker/server owns the clock) and passed in seconds.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface BrokerMetrics {
  readonly registry: Registry;
  /** A produce to `topic` appended `messages` records in `bytes` bytes of batches. */
  recordProduce(topic: string, messages: number, bytes: number): void;
  /** A fetch returned `messages` records in `bytes` bytes of batches from `topic`. */
  recordFetch(topic: string, messages: number, bytes: number): void;
  /** One request of `api` (Kafka's API name, e.g. "Produce") took `durationSeconds`. */
  observeRequest(api: string, durationSeconds: number): void;
  setConnections(count: number): void;
  setPartitions(count: number): void;
  /** Called on each scrape; returns bytes on disk per topic. Replaces any earlier callback. */
  setLogSizeSource(source: () => Iterable<readonly [topic: string, bytes: number]>): void;
  /** The Prometheus text exposition. */
  render(): Promise<string>;
  readonly contentType: string;
}

export interface MetricsOptions {
  /** prom-client's standard process_* and nodejs_* metrics (CPU, memory, event loop lag, GC), under
   * their usual names so stock dashboards work. Default true. */
  readonly processMetrics?: boolean;
}

/** Request latency buckets, seconds: 0.5 ms .. 10 s (long-poll fetches sit at the top). */
const REQUEST_SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(options: MetricsOptions = {}): BrokerMetrics {
  const registry = new Registry();
  const registers = [registry];
  const messagesIn = new Counter({ name: 'tributary_messages_in_total', help: 'Records appended by produce requests', labelNames: ['topic'], registers });
  const bytesIn = new Counter({ name: 'tributary_bytes_in_total', help: 'Record batch bytes appended by produce requests', labelNames: ['topic'], registers });
  const messagesOut = new Counter({ name: 'tributary_messages_out_total', help: 'Records returned by fetch requests (batch record counts)', labelNames: ['topic'], registers });
  const bytesOut = new Counter({ name: 'tributary_bytes_out_total', help: 'Record batch bytes returned by fetch requests', labelNames: ['topic'], registers });
  const requests = new Counter({ name: 'tributary_requests_total', help: 'Requests handled, by Kafka API', labelNames: ['api'], registers });
  const requestSeconds = new Histogram({
    name: 'tributary_request_duration_seconds', help: 'Time from request read to response written, by Kafka API',
    labelNames: ['api'], buckets: REQUEST_SECONDS_BUCKETS, registers,
  });
  const connections = new Gauge({ name: 'tributary_connections', help: 'Open client connections', registers });
  const partitions = new Gauge({ name: 'tributary_partitions', help: 'Partitions hosted by this broker', registers });
  let logSizeSource: () => Iterable<readonly [string, number]> = () => [];
  new Gauge({
    name: 'tributary_log_size_bytes', help: 'Bytes of log segments on disk, by topic', labelNames: ['topic'], registers,
    collect() {
      this.reset();
      for (const [topic, bytes] of logSizeSource()) this.set({ topic }, bytes);
    },
  });
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  return {
    registry,
    recordProduce(topic, messages, bytes) {
      messagesIn.inc({ topic }, messages);
      bytesIn.inc({ topic }, bytes);
    },
    recordFetch(topic, messages, bytes) {
      messagesOut.inc({ topic }, messages);
      bytesOut.inc({ topic }, bytes);
    },
    observeRequest(api, durationSeconds) {
      requests.inc({ api });
      requestSeconds.observe({ api }, durationSeconds);
    },
    setConnections: (count) => connections.set(count),
    setPartitions: (count) => partitions.set(count),
    setLogSizeSource(source) {
      logSizeSource = source;
    },
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
