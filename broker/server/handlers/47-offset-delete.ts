// OffsetDelete (47): deletes a group's committed offsets for some partitions (KIP-496). Allowed
// when the group is empty, or for topics a consumer group is not subscribed to
// (GROUP_SUBSCRIBED_TO_TOPIC otherwise). As in Kafka, partitions of topics that do not exist are
// answered UNKNOWN_TOPIC_OR_PARTITION here and never reach the coordinator; deleting an offset
// that was never committed succeeds.
// Known gaps: no authorization.
import type { OffsetDeleteRequestTopic } from '../../coordinator/types.js';
import { ErrorCode } from '../../protocol/errors.js';
import { OffsetDeleteRequest } from '../../protocol/generated/offset-delete-request.js';
import { OffsetDeleteResponse } from '../../protocol/generated/offset-delete-response.js';
import { defineHandler } from '../handler.js';

export const offsetDeleteHandler = defineHandler({
  request: OffsetDeleteRequest,
  response: OffsetDeleteResponse,
  minVersion: 0,
  maxVersion: 0,
  async handle(ctx, req) {
    const exists = (topic: string): boolean => ctx.broker.image.topicsByName.has(topic);
    const known: OffsetDeleteRequestTopic[] = req.topics
      .filter((t) => exists(t.name))
      .map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex })) }));
    const res = await ctx.broker.groups.call({ kind: 'offsetDelete', apiVersion: ctx.apiVersion, req: { groupId: req.groupId, topics: known } });
    if (res.errorCode !== ErrorCode.NONE) return { errorCode: res.errorCode, throttleTimeMs: 0, topics: [] };
    const unknown = req.topics
      .filter((t) => !exists(t.name))
      .map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION })),
      }));
    return { errorCode: ErrorCode.NONE, throttleTimeMs: 0, topics: [...res.topics, ...unknown] };
  },
});
