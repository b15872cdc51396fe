// Helpers shared by the metadata and admin handlers (03, 19, 20, 32, 33, 37, 44, 60, 75): how a
// controller decision is run from a request, how brokers and partitions are shown to a client on
// the listener it connected through, and Kafka's "authorized operations" bit fields.
//
// Contracts: `decideOrFail` never throws; a failed metadata write (fsync error, closed store) is
// logged and answered as UNKNOWN_SERVER_ERROR for every item of the request, so one broken disk
// does not look like a handler bug to the dispatcher. Rendering functions are pure over the image
// they are given; they never read `broker.image` themselves, so one response shows one snapshot.
import type { MetadataImage, PartitionImage, TopicImage } from '../../metadata/image.js';
import { NO_LEADER, type MetadataRecord } from '../../metadata/records.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { Broker } from '../broker.js';
import type { RequestContext } from '../handler.js';

/** Kafka's "not requested" value of the authorized-operations fields. */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

/** Bit field of AclOperation codes: READ 3, WRITE 4, CREATE 5, DELETE 6, ALTER 7, DESCRIBE 8,
 * DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11. Without an authorizer every operation is allowed, as Kafka
 * answers when no authorizer is configured. */
export const TOPIC_OPERATIONS_ALL = bitField([3, 4, 5, 6, 7, 8, 10, 11]);

/** CREATE 5, ALTER 7, DESCRIBE 8, CLUSTER_ACTION 9, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12. */
export const CLUSTER_OPERATIONS_ALL = bitField([5, 7, 8, 9, 10, 11, 12]);

function bitField(codes: readonly number[]): number {
  return codes.reduce((bits, code) => bits | (1 << code), 0);
}

export interface FailedItem {
  readonly errorCode: number;
  readonly errorMessage: string;
}

/**
 * Runs a controller decision (serialised, persisted, applied by the Broker). On a write failure
 * returns `failed(...)` for each of `count` items instead of throwing.
 */
export async function decideOrFail<R>(
  ctx: RequestContext,
  count: number,
  decide: (image: MetadataImage) => { records: MetadataRecord[]; results: R[] },
  failed: (index: number, failure: FailedItem) => R,
): Promise<R[]> {
  try {
    return await ctx.broker.runController(decide);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    ctx.broker.logger.error(`metadata change failed; answering UNKNOWN_SERVER_ERROR: ${reason}`, { error });
    const failure = { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: `The metadata change could not be written: ${reason}` };
    return Array.from({ length: count }, (_, i) => failed(i, failure));
  }
}

export interface NodeView {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly rack: string | null;
}

/**
 * Unfenced brokers that have an endpoint for `listenerName`, by node id. This node is always
 * listed, with the endpoint as bound (the configured port may be 0).
 */
export function liveNodes(broker: Broker, image: MetadataImage, listenerName: string): NodeView[] {
  const nodes: NodeView[] = [];
  const self = broker.advertisedEndpoint(listenerName);
  nodes.push({ nodeId: broker.nodeId, host: self.host, port: self.port, rack: image.brokers.get(broker.nodeId)?.rack ?? broker.config.brokerRack });
  for (const registration of image.brokers.values()) {
    if (registration.brokerId === broker.nodeId || registration.fenced) continue;
    const endpoint = registration.endpoints.find((e) => e.name === listenerName);
    if (endpoint === undefined) continue;
    nodes.push({ nodeId: registration.brokerId, host: endpoint.host, port: endpoint.port, rack: registration.rack });
  }
  return nodes.sort((a, b) => a.nodeId - b.nodeId);
}

export interface PartitionView {
  readonly errorCode: number;
  readonly partitionIndex: number;
  readonly leaderId: number;
  readonly leaderEpoch: number;
  readonly replicaNodes: number[];
  readonly isrNodes: number[];
  readonly offlineReplicas: number[];
}

/** What a client connected through `listenerName` is told about partitions. */
export class PartitionRenderer {
  constructor(
    private readonly broker: Broker,
    private readonly image: MetadataImage,
    private readonly listenerName: string,
  ) {}

  /**
   * Kafka's rules: a leader that is unknown answers LEADER_NOT_AVAILABLE and one without an
   * endpoint for this listener LISTENER_NOT_FOUND (leader -1 in both cases). A replica is offline
   * when its broker is gone or fenced, lacks this listener, or (for this node) its log is offline.
   * With `filterUnavailable` (Metadata v0) offline replicas are left out of replicas and isr and
   * the partition answers REPLICA_NOT_AVAILABLE.
   */
  render(topic: TopicImage, partition: PartitionImage, filterUnavailable = false): PartitionView {
    const offline = partition.replicas.filter((id) => !this.isReplicaOnline(topic, partition, id));
    const keep = (ids: readonly number[]): number[] => (filterUnavailable ? ids.filter((id) => !offline.includes(id)) : [...ids]);
    const replicaNodes = keep(partition.replicas);
    const isrNodes = keep(partition.isr);
    const leaderError = this.leaderError(partition.leader);
    const base = { partitionIndex: partition.partitionId, leaderEpoch: partition.leaderEpoch, replicaNodes, isrNodes, offlineReplicas: offline };
    if (leaderError !== ErrorCode.NONE) return { ...base, errorCode: leaderError, leaderId: NO_LEADER };
    const missing = replicaNodes.length < partition.replicas.length || isrNodes.length < partition.isr.length;
    return { ...base, errorCode: missing ? ErrorCode.REPLICA_NOT_AVAILABLE : ErrorCode.NONE, leaderId: partition.leader };
  }

  private leaderError(leader: number): number {
    if (leader === NO_LEADER) return ErrorCode.LEADER_NOT_AVAILABLE;
    if (leader === this.broker.nodeId) return ErrorCode.NONE;
    const registration = this.image.brokers.get(leader);
    if (registration === undefined) return ErrorCode.LEADER_NOT_AVAILABLE;
    return registration.endpoints.some((e) => e.name === this.listenerName) ? ErrorCode.NONE : ErrorCode.LISTENER_NOT_FOUND;
  }

  private isReplicaOnline(topic: TopicImage, partition: PartitionImage, brokerId: number): boolean {
    if (brokerId === this.broker.nodeId) {
      return this.broker.logs.get(topic.name, partition.partitionId)?.offline !== true;
    }
    const registration = this.image.brokers.get(brokerId);
    return registration !== undefined && !registration.fenced && registration.endpoints.some((e) => e.name === this.listenerName);
  }
}

/** Topic names sorted the way Kafka's tools print them (code unit order). */
export function byName(a: { readonly name: string }, b: { readonly name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
