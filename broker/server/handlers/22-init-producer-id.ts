// InitProducerId (22), versions 0-5, for idempotent producers (transactionalId null).
//
// Like Kafka's coordinator for a null transactionalId, every call gets a fresh producer id with
// epoch 0 (Broker.allocateProducerId: ids come from blocks persisted before use, so they are never
// reused after a restart). A v3+ request that names its current producerId/epoch (KIP-360) still
// gets a new id: an idempotent id is not registered anywhere, so the broker cannot check that the
// caller owns it, and bumping the epoch of an id named by an arbitrary client could fence another
// producer. Clients take whatever id/epoch comes back and restart their sequences at 0. Naming
// only one of producerId/epoch is INVALID_REQUEST, as in Kafka.
//
// Known gaps:
// - Transactions: a non-empty transactionalId answers TRANSACTIONAL_ID_AUTHORIZATION_FAILED.
//   It is non-retriable in every client (the Java producer treats it as fatal, kafkajs fails the
//   call), so a transactional producer fails at once with a clear error; COORDINATOR_NOT_AVAILABLE
//   or NOT_COORDINATOR would make clients retry forever. An empty transactionalId is
//   INVALID_REQUEST, as in Kafka. transactionTimeoutMs is ignored.
// - Failing to persist a new producer id block answers COORDINATOR_NOT_AVAILABLE (retriable).
import { ErrorCode } from '../../protocol/errors.js';
import { InitProducerIdRequest } from '../../protocol/generated/init-producer-id-request.js';
import { InitProducerIdResponse } from '../../protocol/generated/init-producer-id-response.js';
import { defineHandler } from '../handler.js';

const NO_PRODUCER_ID = -1n;
const NO_PRODUCER_EPOCH = -1;

export const initProducerIdHandler = defineHandler({
  request: InitProducerIdRequest,
  response: InitProducerIdResponse,
  minVersion: 0,
  maxVersion: 5,
  handle(ctx, req) {
    const failed = (errorCode: number) => ({ throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 });
    if (req.transactionalId === '') return failed(ErrorCode.INVALID_REQUEST);
    if (req.transactionalId !== null) return failed(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    if ((req.producerId === NO_PRODUCER_ID) !== (req.producerEpoch === NO_PRODUCER_EPOCH)) return failed(ErrorCode.INVALID_REQUEST);
    let producerId: number;
    try {
      producerId = ctx.broker.allocateProducerId();
    } catch (error) {
      ctx.broker.logger.error('cannot persist a new producer id block', { error });
      return failed(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: BigInt(producerId), producerEpoch: 0 };
  },
});
