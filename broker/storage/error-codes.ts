// The Kafka error codes storage answers with, taken from the one shared table.
import { ErrorCode } from '../protocol/errors.js';

export const { NONE, OFFSET_OUT_OF_RANGE, CORRUPT_MESSAGE, OUT_OF_ORDER_SEQUENCE_NUMBER, DUPLICATE_SEQUENCE_NUMBER, INVALID_PRODUCER_EPOCH, KAFKA_STORAGE_ERROR, UNKNOWN_PRODUCER_ID } = ErrorCode;

/** A storage failure carried as an exception (fs failure, log offline). */
export class LogStorageError extends Error {
  constructor(readonly errorCode: number, message: string) {
    super(message);
    this.name = 'LogStorageError';
  }
}
