// DeleteTopics (20), v0-6: by name (v0-5 `topicNames`) or by name or topic id (v6 `topics`).
// The controller emits RemoveTopic records; the Broker persists them and deletes the local logs
// before this answers. delete.topic.enable=false answers TOPIC_DELETION_DISABLED; an unknown name
// UNKNOWN_TOPIC_OR_PARTITION, an unknown id UNKNOWN_TOPIC_ID.
//
// Departure from Kafka: internal topics (`__consumer_offsets`, `__transaction_state`) are refused
// with INVALID_REQUEST. Kafka's broker lets an admin delete them (only kafka-topics.sh refuses),
// which silently loses every committed offset; here the group coordinator reads its state from
// `__consumer_offsets` while running, so deleting it under the coordinator is never useful.
// Known gaps: timeoutMs is ignored (deletion is synchronous); no controller mutation quota.
import { deleteTopics, type DeletableTopic, type DeleteTopicResult } from '../../metadata/controller.js';
import type { MetadataImage } from '../../metadata/image.js';
import { isInternalTopic } from '../../metadata/topic-names.js';
import { ZERO_UUID } from '../../metadata/uuid.js';
import { ErrorCode } from '../../protocol/errors.js';
import { DeleteTopicsRequest } from '../../protocol/generated/delete-topics-request.js';
import { DeleteTopicsResponse } from '../../protocol/generated/delete-topics-response.js';
import { defineHandler } from '../handler.js';
import { decideOrFail } from './admin-common.js';

export const deleteTopicsHandler = defineHandler({
  request: DeleteTopicsRequest,
  response: DeleteTopicsResponse,
  minVersion: 0,
  maxVersion: 6,
  async handle(ctx, req) {
    const { broker, apiVersion } = ctx;
    const requested: DeletableTopic[] = apiVersion >= 6
      ? req.topics.map((t) => ({ name: t.name, topicId: t.topicId === ZERO_UUID ? null : t.topicId }))
      : req.topicNames.map((name) => ({ name, topicId: null }));
    // Internal topics are answered here and never reach the controller.
    const refused = requested.map((t) => internalTopicRefusal(broker.image, t));
    const allowed = requested.filter((_, i) => refused[i] === null);
    const decided = await decideOrFail(
      ctx,
      allowed.length,
      (image) => deleteTopics(image, allowed, broker.controllerContext()),
      (i, failure): DeleteTopicResult => ({ name: allowed[i]!.name, topicId: allowed[i]!.topicId ?? ZERO_UUID, ...failure }),
    );
    let next = 0;
    const responses = requested.map((_, i) => refused[i] ?? decided[next++]!).map((r) => ({
      name: apiVersion >= 6 ? r.name : (r.name ?? ''),
      topicId: r.topicId,
      errorCode: r.errorCode,
      errorMessage: r.errorMessage,
    }));
    return { throttleTimeMs: 0, responses };
  },
});

function internalTopicRefusal(image: MetadataImage, topic: DeletableTopic): DeleteTopicResult | null {
  const name = topic.topicId !== null ? image.topicsById.get(topic.topicId)?.name ?? null : topic.name;
  if (name === null || !isInternalTopic(name)) return null;
  return {
    name,
    topicId: topic.topicId ?? image.topicsByName.get(name)?.topicId ?? ZERO_UUID,
    errorCode: ErrorCode.INVALID_REQUEST,
    errorMessage: `Topic ${name} is an internal topic and cannot be deleted`,
  };
}
