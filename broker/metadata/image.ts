/**
 * `MetadataImage`: the cluster metadata every layer reads, built only by folding metadata records
 * with the pure reducer `apply` / `applyRecords`. Images are never mutated: applying returns a new
 * image that shares everything the records did not touch, so a reader holding an old image keeps a
 * consistent snapshot. `applyRecords` copies each touched map once per batch, so replaying a topic
 * with thousands of partitions stays linear.
 *
 * Invariants (checked with assertions, since records come from our own controller): a partition
 * record names a known topic and extends the topic's partitions contiguously; a PartitionChange and a
 * RemoveTopic name known ids; a topic name maps to at most one id. Removing a topic also drops its
 * configs, as Kafka does.
 */
import {
  type BrokerEndpoint, ConfigResourceType, type ConfigResourceTypeCode, type MetadataRecord, type PartitionChangeRecord,
} from './records.js';

export interface BrokerRegistration {
  readonly brokerId: number;
  readonly brokerEpoch: number;
  readonly incarnationId: string;
  readonly endpoints: readonly BrokerEndpoint[];
  readonly rack: string | null;
  readonly fenced: boolean;
}

export interface PartitionImage {
  readonly partitionId: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
}

export interface TopicImage {
  readonly name: string;
  readonly topicId: string;
  /** Index = partition id; partitions are contiguous from 0. */
  readonly partitions: readonly PartitionImage[];
}

export interface MetadataImage {
  readonly brokers: ReadonlyMap<number, BrokerRegistration>;
  readonly topicsByName: ReadonlyMap<string, TopicImage>;
  readonly topicsById: ReadonlyMap<string, TopicImage>;
  /** Keyed by `configResourceKey(type, name)`; each map holds only keys that are set. */
  readonly configs: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** Records applied so far (the metadata log end offset when replayed from the start). */
  readonly recordCount: number;
}

export const EMPTY_IMAGE: MetadataImage = Object.freeze({
  brokers: new Map(),
  topicsByName: new Map(),
  topicsById: new Map(),
  configs: new Map(),
  recordCount: 0,
});

export function configResourceKey(resourceType: ConfigResourceTypeCode, resourceName: string): string {
  return `${resourceType}:${resourceName}`;
}

const NO_CONFIGS: ReadonlyMap<string, string> = new Map();

export function topicConfigs(image: MetadataImage, topicName: string): ReadonlyMap<string, string> {
  return image.configs.get(configResourceKey(ConfigResourceType.TOPIC, topicName)) ?? NO_CONFIGS;
}

/** Dynamic configs of a broker; `brokerId` null = the cluster-wide default (resource name ""). */
export function brokerConfigs(image: MetadataImage, brokerId: number | null): ReadonlyMap<string, string> {
  return image.configs.get(configResourceKey(ConfigResourceType.BROKER, brokerId === null ? '' : String(brokerId))) ?? NO_CONFIGS;
}

export function liveBrokerIds(image: MetadataImage): number[] {
  return [...image.brokers.values()].filter((b) => !b.fenced).map((b) => b.brokerId).sort((a, b) => a - b);
}

export function apply(image: MetadataImage, record: MetadataRecord): MetadataImage {
  return applyRecords(image, [record]);
}

export function applyRecords(image: MetadataImage, records: readonly MetadataRecord[]): MetadataImage {
  if (records.length === 0) return image;
  const delta = new ImageDelta(image);
  for (const record of records) delta.replay(record);
  return delta.build(image.recordCount + records.length);
}

function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

/** Copy-on-first-write view of an image; one per batch. */
class ImageDelta {
  private brokers: Map<number, BrokerRegistration> | null = null;
  private configs: Map<string, ReadonlyMap<string, string>> | null = null;
  /** Topics touched in this batch (mutable partition arrays), by id; null = removed. */
  private readonly topics = new Map<string, { name: string; topicId: string; partitions: PartitionImage[] } | null>();

  constructor(private readonly base: MetadataImage) {}

  replay(record: MetadataRecord): void {
    switch (record.type) {
      case 'RegisterBroker': {
        const { type: _type, ...registration } = record;
        this.mutableBrokers().set(record.brokerId, registration);
        return;
      }
      case 'BrokerRegistrationChange': {
        const current = this.currentBrokers().get(record.brokerId);
        assert(current !== undefined, `registration change for unknown broker ${record.brokerId}`);
        this.mutableBrokers().set(record.brokerId, { ...current, brokerEpoch: record.brokerEpoch, fenced: record.fenced });
        return;
      }
      case 'UnregisterBroker':
        this.mutableBrokers().delete(record.brokerId);
        return;
      case 'Topic':
        assert(this.topicByName(record.name) === undefined, `topic ${record.name} created twice`);
        this.topics.set(record.topicId, { name: record.name, topicId: record.topicId, partitions: [] });
        return;
      case 'Partition': {
        const topic = this.mutableTopic(record.topicId);
        assert(record.partitionId <= topic.partitions.length, `partition ${record.partitionId} of ${topic.name} is not contiguous`);
        const { type: _type, topicId: _topicId, ...partition } = record;
        topic.partitions[record.partitionId] = partition;
        return;
      }
      case 'PartitionChange':
        this.changePartition(record);
        return;
      case 'Config':
        this.setConfig(configResourceKey(record.resourceType, record.resourceName), record.name, record.value);
        return;
      case 'RemoveTopic': {
        const topic = this.topic(record.topicId);
        assert(topic !== undefined, `removing unknown topic id ${record.topicId}`);
        this.topics.set(record.topicId, null);
        this.mutableConfigs().delete(configResourceKey(ConfigResourceType.TOPIC, topic.name));
        return;
      }
    }
  }

  build(recordCount: number): MetadataImage {
    let topicsByName = this.base.topicsByName;
    let topicsById = this.base.topicsById;
    if (this.topics.size > 0) {
      const byName = new Map(topicsByName);
      const byId = new Map(topicsById);
      for (const topicId of this.topics.keys()) {
        const before = this.base.topicsById.get(topicId);
        if (before !== undefined) byName.delete(before.name);
        byId.delete(topicId);
      }
      for (const topic of this.topics.values()) {
        if (topic === null) continue;
        byName.set(topic.name, topic);
        byId.set(topic.topicId, topic);
      }
      topicsByName = byName;
      topicsById = byId;
    }
    return {
      brokers: this.brokers ?? this.base.brokers,
      topicsByName,
      topicsById,
      configs: this.configs ?? this.base.configs,
      recordCount,
    };
  }

  private changePartition(record: PartitionChangeRecord): void {
    const topic = this.mutableTopic(record.topicId);
    const current = topic.partitions[record.partitionId];
    assert(current !== undefined, `change for unknown partition ${topic.name}-${record.partitionId}`);
    const leaderChanged = record.leader !== undefined && record.leader !== current.leader;
    topic.partitions[record.partitionId] = {
      partitionId: current.partitionId,
      replicas: record.replicas ?? current.replicas,
      isr: record.isr ?? current.isr,
      leader: record.leader ?? current.leader,
      leaderEpoch: leaderChanged ? current.leaderEpoch + 1 : current.leaderEpoch,
      partitionEpoch: current.partitionEpoch + 1,
    };
  }

  private setConfig(key: string, name: string, value: string | null): void {
    const configs = this.mutableConfigs();
    const next = new Map(configs.get(key) ?? NO_CONFIGS);
    if (value === null) next.delete(name);
    else next.set(name, value);
    if (next.size === 0) configs.delete(key);
    else configs.set(key, next);
  }

  private currentBrokers(): ReadonlyMap<number, BrokerRegistration> {
    return this.brokers ?? this.base.brokers;
  }

  private mutableBrokers(): Map<number, BrokerRegistration> {
    this.brokers ??= new Map(this.base.brokers);
    return this.brokers;
  }

  private mutableConfigs(): Map<string, ReadonlyMap<string, string>> {
    this.configs ??= new Map(this.base.configs);
    return this.configs;
  }

  private topic(topicId: string): TopicImage | undefined {
    const touched = this.topics.get(topicId);
    if (touched === null) return undefined;
    return touched ?? this.base.topicsById.get(topicId);
  }

  private topicByName(name: string): TopicImage | undefined {
    for (const topic of this.topics.values()) if (topic?.name === name) return topic;
    const base = this.base.topicsByName.get(name);
    return base !== undefined && this.topics.get(base.topicId) !== null ? base : undefined;
  }

  private mutableTopic(topicId: string): { name: string; topicId: string; partitions: PartitionImage[] } {
    const touched = this.topics.get(topicId);
    if (touched != null) return touched;
    const base = touched === null ? undefined : this.base.topicsById.get(topicId);
    assert(base !== undefined, `unknown topic id ${topicId}`);
    const copy = { name: base.name, topicId, partitions: [...base.partitions] };
    this.topics.set(topicId, copy);
    return copy;
  }
}
