import test from 'ava';
import { createMetrics } from '../../broker/http/metrics.js';
import { type Readiness, buildHttpApp, startHttpServer } from '../../broker/http/server.js';

test('GET /metrics serves the broker metrics in Prometheus text format', async (t) => {
  const metrics = createMetrics();
  metrics.recordProduce('orders', 10, 1000);
  metrics.recordProduce('orders', 5, 500);
  metrics.recordFetch('orders', 3, 300);
  metrics.observeRequest('Produce', 0.002);
  metrics.setConnections(4);
  metrics.setPartitions(7);
  metrics.setLogSizeSource(() => [['orders', 12345]]);
  const app = await buildHttpApp({ metrics, isReady: () => true });
  const response = await app.inject({ method: 'GET', url: '/metrics' });
  t.is(response.statusCode, 200);
  t.regex(response.headers['content-type'] as string, /^text\/plain/);
  const body = response.body;
  t.regex(body, /tributary_messages_in_total\{topic="orders"\} 15/);
  t.regex(body, /tributary_bytes_in_total\{topic="orders"\} 1500/);
  t.regex(body, /tributary_messages_out_total\{topic="orders"\} 3/);
  t.regex(body, /tributary_bytes_out_total\{topic="orders"\} 300/);
  t.regex(body, /tributary_requests_total\{api="Produce"\} 1/);
  t.regex(body, /tributary_request_duration_seconds_bucket\{le="0.0025",api="Produce"\} 1/);
  t.regex(body, /tributary_connections 4/);
  t.regex(body, /tributary_partitions 7/);
  t.regex(body, /tributary_log_size_bytes\{topic="orders"\} 12345/);
  t.regex(body, /^process_cpu_seconds_total /m);
  t.regex(body, /^nodejs_eventloop_lag_seconds /m);
  await app.close();
});

test('the log size gauge is collected on each scrape and forgets deleted topics', async (t) => {
  const metrics = createMetrics({ processMetrics: false });
  let sizes: [string, number][] = [['a', 1], ['b', 2]];
  metrics.setLogSizeSource(() => sizes);
  t.regex(await metrics.render(), /tributary_log_size_bytes\{topic="b"\} 2/);
  sizes = [['a', 3]];
  const body = await metrics.render();
  t.regex(body, /tributary_log_size_bytes\{topic="a"\} 3/);
  t.notRegex(body, /topic="b"/);
});

test('two metric sets do not share counters', async (t) => {
  const one = createMetrics({ processMetrics: false });
  const two = createMetrics({ processMetrics: false });
  one.recordProduce('x', 1, 1);
  t.notRegex(await two.render(), /topic="x"/);
});

test('/healthz is 200 while alive; /readyz follows isReady with a JSON reason', async (t) => {
  let readiness: Readiness = false;
  const app = await buildHttpApp({ metrics: createMetrics({ processMetrics: false }), isReady: () => readiness });
  t.is((await app.inject({ url: '/healthz' })).statusCode, 200);
  const notReady = await app.inject({ url: '/readyz' });
  t.is(notReady.statusCode, 503);
  t.deepEqual(notReady.json(), { status: 'not ready', reason: 'broker is not ready' });
  readiness = { ready: false, reason: 'recovering logs: 3 of 10 partitions' };
  t.deepEqual((await app.inject({ url: '/readyz' })).json(), { status: 'not ready', reason: 'recovering logs: 3 of 10 partitions' });
  readiness = true;
  const ready = await app.inject({ url: '/readyz' });
  t.is(ready.statusCode, 200);
  t.deepEqual(ready.json(), { status: 'ready' });
  await app.close();
});

test('/readyz is 503 when the readiness check throws', async (t) => {
  const app = await buildHttpApp({ metrics: createMetrics({ processMetrics: false }), isReady: () => { throw new Error('boom'); } });
  const response = await app.inject({ url: '/readyz' });
  t.is(response.statusCode, 503);
  t.regex(response.json<{ reason: string }>().reason, /readiness check failed: boom/);
  await app.close();
});

test('startHttpServer listens on a real port and closes', async (t) => {
  const server = await startHttpServer({ host: '127.0.0.1', port: 0, metrics: createMetrics({ processMetrics: false }), isReady: () => true });
  t.true(server.port > 0);
  const response = await fetch(`http://127.0.0.1:${server.port}/healthz`);
  t.is(response.status, 200);
  await server.close();
});
