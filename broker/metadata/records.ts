/**
 * Metadata records, KRaft style, as plain typed objects. They are the only way metadata changes:
 * the controller emits them, the metadata log (metadata-store.ts, later Raft) stores them, and every
 * node folds them into a `MetadataImage` (image.ts). Field names follow Kafka's
 * `metadata/src/main/resources/common/metadata/*Record.json`, camelCased; the JSON form written to
 * disk is exactly these objects, so a field rename is a log format change.
 *
 * Departures from Kafka: records carry a string `type` instead of an api key + version; a
 * PartitionChange leaves out fields that do not change (Kafka uses -2 / null sentinels).
 */

/** Kafka's ConfigResource.Type values, as on the wire. */
export const ConfigResourceType = { TOPIC: 2, BROKER: 4 } as const;
export type ConfigResourceTypeCode = (typeof ConfigResourceType)[keyof typeof ConfigResourceType];

/** No leader (leader = -1), as on the wire. */
export const NO_LEADER = -1;

export interface BrokerEndpoint {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly securityProtocol: string;
}

export interface RegisterBrokerRecord {
  readonly type: 'RegisterBroker';
  readonly brokerId: number;
  readonly brokerEpoch: number;
  readonly incarnationId: string;
  readonly endpoints: readonly BrokerEndpoint[];
  readonly rack: string | null;
  readonly fenced: boolean;
}

export interface BrokerRegistrationChangeRecord {
  readonly type: 'BrokerRegistrationChange';
  readonly brokerId: number;
  readonly brokerEpoch: number;
  readonly fenced: boolean;
}

export interface UnregisterBrokerRecord {
  readonly type: 'UnregisterBroker';
  readonly brokerId: number;
  readonly brokerEpoch: number;
}

export interface TopicRecord {
  readonly type: 'Topic';
  readonly name: string;
  /** 22-char URL-safe base64 of 16 bytes (uuid.ts). */
  readonly topicId: string;
}

export interface PartitionRecord {
  readonly type: 'Partition';
  readonly topicId: string;
  readonly partitionId: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  /** Broker id, or NO_LEADER. */
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
}

/**
 * A change to an existing partition; absent fields keep their value. Applying it bumps
 * partitionEpoch always and leaderEpoch when the leader changes, as Kafka's controller does.
 */
export interface PartitionChangeRecord {
  readonly type: 'PartitionChange';
  readonly topicId: string;
  readonly partitionId: number;
  readonly leader?: number;
  readonly isr?: readonly number[];
  readonly replicas?: readonly number[];
}

export interface ConfigRecord {
  readonly type: 'Config';
  readonly resourceType: ConfigResourceTypeCode;
  /** Topic name; for brokers the node id as text, or "" for the cluster-wide default. */
  readonly resourceName: string;
  readonly name: string;
  /** null removes the override. */
  readonly value: string | null;
}

export interface RemoveTopicRecord {
  readonly type: 'RemoveTopic';
  readonly topicId: string;
}

export type MetadataRecord =
  | RegisterBrokerRecord
  | BrokerRegistrationChangeRecord
  | UnregisterBrokerRecord
  | TopicRecord
  | PartitionRecord
  | PartitionChangeRecord
  | ConfigRecord
  | RemoveTopicRecord;
