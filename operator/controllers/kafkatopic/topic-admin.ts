/**
 * `TopicAdmin`: the narrow Kafka interface the KafkaTopic controller needs (STYLE rule 5), and its
 * implementation over the internal client (`broker/client/`): describe one topic with its config
 * overrides, create it, add partitions, alter its config incrementally, delete it.
 *
 * Contracts:
 * - `describe` returns null when the topic does not exist; config values are the topic-level
 *   overrides only (source DYNAMIC_TOPIC_CONFIG), sensitive (null) values left out.
 * - Every call is bounded: connect and request timeouts on the client, and `timeoutMs` overall
 *   (a dead broker that accepts connections but never answers cannot hang a reconcile).
 * - Failures are classified by `classifyKafkaFailure`: a broker's refusal (a Kafka error code) or
 *   "unreachable" (no connection, timeout). Anything else is a bug and is rethrown.
 * This is an I/O edge: it opens sockets (through `KafkaClient`) and arms a timer (through `Clock`).
 */
import { KafkaAdmin, ConfigOperation, ConfigResourceType, ConfigSource } from '../../../broker/client/admin.js';
import { ConnectionError, RequestTimeoutError } from '../../../broker/client/connection.js';
import { BrokerError } from '../../../broker/client/errors.js';
import { ErrorCode, KafkaError, errorInfo } from '../../../broker/protocol/errors.js';
import type { Clock } from '../../runtime/clock.js';
import { withDeadline as boundedBy } from '../../runtime/deadline.js';
import { operatorKafkaClient } from '../../runtime/kafka-client.js';
import type { ActionFailure, ObservedTopic } from './plan.js';

export const DEFAULT_KAFKA_TIMEOUT_MS = 15_000;

export interface TopicAdmin {
  describe(topic: string): Promise<ObservedTopic | null>;
  create(topic: string, partitions: number, replicas: number, configs: Readonly<Record<string, string>>): Promise<void>;
  createPartitions(topic: string, count: number): Promise<void>;
  alterConfigs(topic: string, set: Readonly<Record<string, string>>, remove: readonly string[]): Promise<void>;
  delete(topic: string): Promise<void>;
  close(): Promise<void>;
}

/** Opens a TopicAdmin on a cluster given its bootstrap servers (host:port). */
export type TopicAdminFactory = (bootstrapServers: readonly string[]) => TopicAdmin;

/** The cluster did not answer within the deadline. */
export class KafkaDeadlineError extends Error {
  override readonly name = 'KafkaDeadlineError';
}

export type KafkaFailure =
  | { readonly kind: 'unreachable'; readonly message: string }
  | { readonly kind: 'refused'; readonly failure: Omit<ActionFailure, 'action'> };

/** A refusal (Kafka error code) or an unreachable cluster; null for anything else (a bug: rethrow). */
export function classifyKafkaFailure(error: unknown): KafkaFailure | null {
  if (error instanceof ConnectionError || error instanceof RequestTimeoutError || error instanceof KafkaDeadlineError) {
    return { kind: 'unreachable', message: error.message };
  }
  if (error instanceof KafkaError) {
    const info = errorInfo(error.code);
    const message = error instanceof BrokerError ? error.userMessage : info.message;
    return { kind: 'refused', failure: { errorName: info.name, message: message.replace(/\.$/, ''), retriable: info.retriable } };
  }
  return null;
}

function withDeadline<T>(clock: Clock, timeoutMs: number, what: string, work: () => Promise<T>): Promise<T> {
  return boundedBy(clock, timeoutMs, what, work, (message) => new KafkaDeadlineError(message));
}

/** TopicAdmin over `KafkaClient` + `KafkaAdmin`, one client per reconcile. */
export function kafkaTopicAdminFactory(clock: Clock, options: { timeoutMs?: number; clientId?: string } = {}): TopicAdminFactory {
  const timeoutMs = options.timeoutMs ?? DEFAULT_KAFKA_TIMEOUT_MS;
  return (bootstrapServers) => {
    const client = operatorKafkaClient(bootstrapServers, { timeoutMs, clientId: options.clientId });
    const admin = new KafkaAdmin(client, { timeoutMs });
    const bounded = <T>(what: string, work: () => Promise<T>) => withDeadline(clock, timeoutMs, `${what} (bootstrap ${bootstrapServers.join(',')})`, work);
    return {
      describe: (topic) => bounded(`describing topic ${topic}`, () => describeTopic(admin, topic)),
      create: (topic, partitions, replicas, configs) =>
        bounded(`creating topic ${topic}`, async () => {
          await admin.createTopics([{ name: topic, numPartitions: partitions, replicationFactor: replicas, configs: { ...configs } }]);
        }),
      createPartitions: (topic, count) => bounded(`adding partitions to ${topic}`, () => admin.createPartitions([{ name: topic, count }])),
      alterConfigs: (topic, set, remove) =>
        bounded(`altering the config of ${topic}`, () =>
          admin.incrementalAlterConfigs([
            {
              type: ConfigResourceType.Topic,
              name: topic,
              ops: [
                ...Object.entries(set).map(([name, value]) => ({ name, op: ConfigOperation.Set, value })),
                ...remove.map((name) => ({ name, op: ConfigOperation.Delete, value: null })),
              ],
            },
          ]),
        ),
      delete: (topic) => bounded(`deleting topic ${topic}`, () => admin.deleteTopics([topic])),
      close: () => client.close(),
    };
  };
}

async function describeTopic(admin: KafkaAdmin, topic: string): Promise<ObservedTopic | null> {
  let description;
  try {
    [description] = await admin.describeTopics([topic]);
  } catch (error) {
    if (KafkaError.hasCode(error, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)) return null;
    throw error;
  }
  if (description === undefined) return null;
  const [configs] = await admin.describeConfigs([{ type: ConfigResourceType.Topic, name: topic }]);
  const overrides: Record<string, string> = {};
  for (const entry of configs?.entries ?? []) {
    if (entry.source === ConfigSource.DynamicTopic && entry.value !== null) overrides[entry.name] = entry.value;
  }
  return {
    name: description.name,
    topicId: description.topicId,
    partitions: description.partitions.length,
    replicationFactor: Math.max(0, ...description.partitions.map((p) => p.replicas.length)),
    configs: overrides,
  };
}
