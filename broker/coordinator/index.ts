/** The classic group coordinator: see `group-coordinator.ts` for the contract. */
export { GroupCoordinator, joinError } from './group-coordinator.js';
export type { GroupSnapshot, MemberSnapshot, OffsetSnapshot } from './group-coordinator.js';
export { partitionFor, javaStringHashCode, kafkaAbs } from './partition.js';
export { CONSUMER_PROTOCOL_TYPE, subscribedTopics, encodeSubscription } from './consumer-protocol.js';
export { uuidFromRandom } from './ids.js';
export * from './records.js';
export * from './types.js';
export * as GroupErrors from './error-codes.js';
