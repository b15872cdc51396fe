// CreatePartitions (37), v0-3: raises a topic's partition count; new partitions are placed
// round-robin over the live brokers, or as given in `assignments`. validateOnly runs every check
// and writes nothing. The Broker creates the new local logs before this answers.
//
// Departure from Kafka: `__consumer_offsets` (and `__transaction_state`) are refused with
// INVALID_REQUEST: a group's partition is a hash of its id modulo the partition count, so adding
// partitions would move every group away from its committed offsets. Kafka allows it.
// Known gaps: timeoutMs is ignored (synchronous); no controller mutation quota.
import { createPartitions, type CreatePartitionsResult, type CreatePartitionsTopic } from '../../metadata/controller.js';
import { isInternalTopic } from '../../metadata/topic-names.js';
import { ErrorCode } from '../../protocol/errors.js';
import { CreatePartitionsRequest } from '../../protocol/generated/create-partitions-request.js';
import { CreatePartitionsResponse } from '../../protocol/generated/create-partitions-response.js';
import { defineHandler } from '../handler.js';
import { decideOrFail } from './admin-common.js';

export const createPartitionsHandler = defineHandler({
  request: CreatePartitionsRequest,
  response: CreatePartitionsResponse,
  minVersion: 0,
  maxVersion: 3,
  async handle(ctx, req) {
    const { broker } = ctx;
    const requested: CreatePartitionsTopic[] = req.topics.map((t) => ({
      name: t.name,
      count: t.count,
      assignments: t.assignments === null ? null : t.assignments.map((a) => ({ brokerIds: a.brokerIds })),
    }));
    const refused = requested.map((t): CreatePartitionsResult | null =>
      isInternalTopic(t.name)
        ? { name: t.name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Cannot add partitions to the internal topic ${t.name}` }
        : null,
    );
    const allowed = requested.filter((_, i) => refused[i] === null);
    const decided = await decideOrFail(
      ctx,
      allowed.length,
      (image) => createPartitions(image, allowed, broker.controllerContext(req.validateOnly)),
      (i, failure): CreatePartitionsResult => ({ name: allowed[i]!.name, ...failure }),
    );
    let next = 0;
    const results = requested.map((_, i) => refused[i] ?? decided[next++]!);
    return { throttleTimeMs: 0, results };
  },
});
