/**
 * The embedded consumer protocol (protocol type `consumer`) as the client speaks it: subscription
 * and assignment bytes, and the `range` assignor. Pure: no I/O.
 *
 * Encoding: an int16 version followed by the `ConsumerProtocolSubscription` / `...Assignment` data
 * schema at that version. Decoding accepts versions newer than ours by reading them as our newest
 * (Kafka's rule: newer versions only append fields), and returns null for bytes it cannot parse.
 *
 * Range assignor (Kafka's `RangeAssignor` without rack awareness): for each topic, the members
 * subscribed to it, sorted by group instance id when they have one, else by member id (static
 * members first, as Kafka sorts), split its partitions into contiguous ranges; the first
 * `partitions % members` members get one extra partition.
 */
import {
  ConsumerProtocolAssignment,
} from '../protocol/generated/consumer-protocol-assignment.js';
import { ConsumerProtocolSubscription } from '../protocol/generated/consumer-protocol-subscription.js';
import { Reader, Writer, type MessageCodec } from '../protocol/primitives.js';

export const CONSUMER_PROTOCOL_TYPE = 'consumer';
export const RANGE_ASSIGNOR = 'range';
/** The subscription version we write: v1 adds ownedPartitions; later fields stay defaulted. */
export const SUBSCRIPTION_VERSION = 1;
export const ASSIGNMENT_VERSION = 1;

export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

export interface Subscription {
  topics: string[];
  ownedPartitions: TopicPartitions[];
  userData: Buffer | null;
}

export interface Assignment {
  assignedPartitions: TopicPartitions[];
  userData: Buffer | null;
}

export function encodeSubscription(topics: string[], ownedPartitions: TopicPartitions[] = []): Buffer {
  const w = new Writer();
  w.int16(SUBSCRIPTION_VERSION);
  ConsumerProtocolSubscription.encode(w, SUBSCRIPTION_VERSION, { topics, ownedPartitions, userData: null });
  return w.toBuffer();
}

export function decodeSubscription(bytes: Buffer): Subscription | null {
  const decoded = decodeVersioned(ConsumerProtocolSubscription, bytes);
  if (decoded === null) return null;
  return { topics: decoded.topics, ownedPartitions: decoded.ownedPartitions, userData: decoded.userData };
}

export function encodeAssignment(assigned: TopicPartitions[]): Buffer {
  const w = new Writer();
  w.int16(ASSIGNMENT_VERSION);
  ConsumerProtocolAssignment.encode(w, ASSIGNMENT_VERSION, { assignedPartitions: assigned, userData: null });
  return w.toBuffer();
}

/** An empty buffer (what the coordinator sends a member the leader left out) is an empty assignment. */
export function decodeAssignment(bytes: Buffer): Assignment | null {
  if (bytes.length === 0) return { assignedPartitions: [], userData: null };
  const decoded = decodeVersioned(ConsumerProtocolAssignment, bytes);
  if (decoded === null) return null;
  return { assignedPartitions: decoded.assignedPartitions, userData: decoded.userData };
}

function decodeVersioned<T>(codec: MessageCodec<T>, bytes: Buffer): T | null {
  try {
    const r = new Reader(bytes);
    const version = r.int16();
    if (version < 0) return null;
    return codec.decode(r, Math.min(version, codec.maxVersion));
  } catch {
    return null;
  }
}

export interface AssignorMember {
  memberId: string;
  groupInstanceId?: string | null;
  topics: string[];
}

/**
 * Kafka's range assignment. `partitionCounts` gives each topic's partition count; topics missing
 * from it (unknown to the cluster) are skipped. Every member appears in the result, possibly with
 * nothing assigned. Partition lists are ascending, topics in name order.
 */
export function rangeAssign(members: AssignorMember[], partitionCounts: ReadonlyMap<string, number>): Map<string, TopicPartitions[]> {
  const byMember = new Map<string, Map<string, number[]>>(members.map((m) => [m.memberId, new Map()]));
  const topics = [...new Set(members.flatMap((m) => m.topics))].sort();
  for (const topic of topics) {
    const count = partitionCounts.get(topic);
    if (count === undefined || count <= 0) continue;
    const consumers = members.filter((m) => m.topics.includes(topic)).sort(compareMembers);
    const perConsumer = Math.floor(count / consumers.length);
    const extra = count % consumers.length;
    consumers.forEach((m, i) => {
      const start = perConsumer * i + Math.min(i, extra);
      const length = perConsumer + (i < extra ? 1 : 0);
      if (length === 0) return;
      byMember.get(m.memberId)!.set(topic, Array.from({ length }, (_, k) => start + k));
    });
  }
  return new Map(
    [...byMember].map(([memberId, perTopic]) => [memberId, [...perTopic].map(([topic, partitions]) => ({ topic, partitions }))]),
  );
}

/** Kafka sorts static members (with an instance id) by instance id first, then the rest by member id. */
function compareMembers(a: AssignorMember, b: AssignorMember): number {
  const ai = a.groupInstanceId ?? null;
  const bi = b.groupInstanceId ?? null;
  if (ai !== null && bi !== null) return ai < bi ? -1 : ai > bi ? 1 : 0;
  if (ai !== null) return -1;
  if (bi !== null) return 1;
  return a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0;
}
