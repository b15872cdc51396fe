/**
 * Every figure the side-by-side benchmark records, with its unit, direction and issue-4 target.
 * W6 (replication) is listed in the report as declared but not runnable until replication exists.
 */
import type { Metric, Target } from './results.js';

const atLeastKafka: Target = { kind: 'ratio', op: '>=', value: 1.0 };
const noWorseLatency: Target = { kind: 'ratio', op: '<=', value: 1.0 };
const rssTarget: Target = { kind: 'ratio', op: '<=', value: 0.3 };
const startupTarget: Target = { kind: 'ratio', op: '<=', value: 0.2 };

export const METRICS: Metric[] = [
  { id: 'w1.java.1p', workload: 'W1 produce', label: 'Java ProducerPerformance, 1 KiB, 1 partition', unit: 'MiB/s', better: 'higher', target: atLeastKafka, panel: 'throughput' },
  { id: 'w1.java.6p', workload: 'W1 produce', label: 'Java ProducerPerformance, 1 KiB, 6 partitions', unit: 'MiB/s', better: 'higher', target: atLeastKafka, panel: 'throughput' },
  { id: 'w1.java.100b', workload: 'W1 produce', label: 'Java ProducerPerformance, 100 B, 1 partition', unit: 'records/s', better: 'higher', target: atLeastKafka },
  { id: 'w1.rdk.1p', workload: 'W1 produce', label: 'librdkafka rdkafka_performance, 1 KiB, 1 partition', unit: 'MiB/s', better: 'higher', target: atLeastKafka, panel: 'throughput' },
  { id: 'w1.rdk.6p', workload: 'W1 produce', label: 'librdkafka rdkafka_performance, 1 KiB, 6 partitions', unit: 'MiB/s', better: 'higher', target: atLeastKafka, panel: 'throughput' },
  { id: 'w1.rdk.100b', workload: 'W1 produce', label: 'librdkafka rdkafka_performance, 100 B, 1 partition', unit: 'records/s', better: 'higher', target: atLeastKafka },
  { id: 'w2.fill', workload: 'W2 consume', label: 'fill of the W2 topic (Java producer, 6 partitions)', unit: 'MiB/s', better: 'higher', target: atLeastKafka, panel: 'throughput' },
  { id: 'w2.java', workload: 'W2 consume', label: 'Java ConsumerPerformance from the beginning (fetch MiB/s)', unit: 'MiB/s', better: 'higher', target: atLeastKafka, panel: 'throughput' },
  { id: 'w2.rdk', workload: 'W2 consume', label: 'librdkafka group consumer from the beginning', unit: 'MiB/s', better: 'higher', target: atLeastKafka, panel: 'throughput' },
  { id: 'w3.java.ack.p50', workload: 'W3 latency', label: 'Java producer ack latency p50 at the fixed rate', unit: 'ms', better: 'lower', panel: 'latency' },
  { id: 'w3.java.ack.p99', workload: 'W3 latency', label: 'Java producer ack latency p99 at the fixed rate', unit: 'ms', better: 'lower', target: noWorseLatency, panel: 'latency' },
  { id: 'w3.java.ack.p999', workload: 'W3 latency', label: 'Java producer ack latency p99.9 at the fixed rate', unit: 'ms', better: 'lower', panel: 'latency' },
  { id: 'w3.rdk.e2e.p50', workload: 'W3 latency', label: 'librdkafka end-to-end p50 at the fixed rate', unit: 'ms', better: 'lower', panel: 'latency' },
  { id: 'w3.rdk.e2e.p99', workload: 'W3 latency', label: 'librdkafka end-to-end p99 at the fixed rate', unit: 'ms', better: 'lower', target: noWorseLatency, panel: 'latency' },
  { id: 'w3.rdk.e2e.p999', workload: 'W3 latency', label: 'librdkafka end-to-end p99.9 at the fixed rate', unit: 'ms', better: 'lower', panel: 'latency' },
  { id: 'w3.rdk.ack.p99', workload: 'W3 latency', label: 'librdkafka producer ack latency p99 at the fixed rate', unit: 'ms', better: 'lower', panel: 'latency' },
  { id: 'w3.java.e2e.p50', workload: 'W3 latency', label: 'Java EndToEndLatency p50 (1 record at a time; whole ms)', unit: 'ms', better: 'lower' },
  { id: 'w3.java.e2e.p99', workload: 'W3 latency', label: 'Java EndToEndLatency p99 (1 record at a time; whole ms)', unit: 'ms', better: 'lower', target: noWorseLatency },
  { id: 'w3.java.e2e.p999', workload: 'W3 latency', label: 'Java EndToEndLatency p99.9 (1 record at a time; whole ms)', unit: 'ms', better: 'lower' },
  { id: 'w4.idle.rss', workload: 'W4 resources', label: 'RSS right after start-up (empty topics)', unit: 'MiB', better: 'lower' },
  { id: 'w4.w1.rss', workload: 'W4 resources', label: 'peak RSS during W1 (Java, 1 partition)', unit: 'MiB', better: 'lower', target: rssTarget },
  { id: 'w4.w1.cpu', workload: 'W4 resources', label: 'broker CPU seconds per GiB produced (W1 Java, 1 partition)', unit: 'CPU s/GiB', better: 'lower' },
  { id: 'w4.w2.rss', workload: 'W4 resources', label: 'peak RSS during W2 (Java consumer)', unit: 'MiB', better: 'lower', target: rssTarget },
  { id: 'w4.w2.cpu', workload: 'W4 resources', label: 'broker CPU seconds per GiB consumed (W2 Java)', unit: 'CPU s/GiB', better: 'lower' },
  { id: 'w5.startup.empty', workload: 'W5 start-up', label: 'start to first produce, topics but no records', unit: 'ms', better: 'lower', target: startupTarget, panel: 'startup' },
  { id: 'w5.log.size', workload: 'W5 start-up', label: 'log size on disk before the restarts', unit: 'MiB', better: 'lower' },
  { id: 'w5.shutdown', workload: 'W5 start-up', label: 'clean shutdown (SIGTERM to exit) with the log', unit: 'ms', better: 'lower' },
  { id: 'w5.startup.log', workload: 'W5 start-up', label: 'start to first produce with the log (after clean shutdown)', unit: 'ms', better: 'lower', target: startupTarget, panel: 'startup' },
  { id: 'w5.recovery', workload: 'W5 start-up', label: 'start to first produce after kill -9 with the log', unit: 'ms', better: 'lower', target: { kind: 'tributary', op: '<=', value: 1000 }, panel: 'startup' },
  { id: 'w5.recovery.unflushed', workload: 'W5 start-up', label: 'start to first produce after kill -9 right after writing the W2 volume to one partition (worst case: nothing flushed)', unit: 'ms', better: 'lower', panel: 'startup' },
  { id: 'w7.create', workload: 'W7 many partitions', label: 'CreateTopics of the many-partition topic', unit: 'ms', better: 'lower' },
  { id: 'w7.metadata.p50', workload: 'W7 many partitions', label: 'Metadata request for that topic, p50 of 30', unit: 'ms', better: 'lower' },
  { id: 'w7.produce', workload: 'W7 many partitions', label: 'Java ProducerPerformance, 1 KiB, across all its partitions', unit: 'MiB/s', better: 'higher', panel: 'throughput' },
];
