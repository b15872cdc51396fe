// CreateTopics (19), v0-7: the controller validates and places the topics (metadata/controller.ts)
// and the Broker persists the records and creates the local logs before this answers, so a
// success is durable and the topic is immediately usable.
//
// numPartitions / replicationFactor -1 = num.partitions / default.replication.factor; manual
// replica assignments need both at -1 (INVALID_REQUEST otherwise, as Kafka). validateOnly (v1+)
// runs every check and writes nothing. v5+ answers the effective config of each created topic
// (name, value, readOnly, configSource, isSensitive) with its partition count and replication
// factor; v7+ the topic id. A name listed twice answers INVALID_REQUEST once, as Kafka's keyed
// response does.
// Known gaps: timeoutMs is ignored (creation is synchronous, nothing to wait for); no
// create.topic.policy; no controller mutation quota (throttleTimeMs is always 0).
import { createTopics, type CreatableTopic, type CreateTopicResult } from '../../metadata/controller.js';
import { ZERO_UUID } from '../../metadata/uuid.js';
import { CreateTopicsRequest } from '../../protocol/generated/create-topics-request.js';
import { CreateTopicsResponse, type CreateTopicsResponseCreatableTopicResult } from '../../protocol/generated/create-topics-response.js';
import type { Init } from '../../protocol/primitives.js';
import { defineHandler } from '../handler.js';
import { decideOrFail } from './admin-common.js';

export const createTopicsHandler = defineHandler({
  request: CreateTopicsRequest,
  response: CreateTopicsResponse,
  minVersion: 0,
  maxVersion: 7,
  async handle(ctx, req) {
    const { broker } = ctx;
    const requests: CreatableTopic[] = req.topics.map((t) => ({
      name: t.name,
      numPartitions: t.numPartitions,
      replicationFactor: t.replicationFactor,
      assignments: t.assignments.map((a) => ({ partitionIndex: a.partitionIndex, brokerIds: a.brokerIds })),
      configs: t.configs.map((c) => ({ name: c.name, value: c.value })),
    }));
    const results = await decideOrFail(
      ctx,
      requests.length,
      (image) => createTopics(image, requests, broker.controllerContext(req.validateOnly)),
      (i, failure): CreateTopicResult => ({
        name: requests[i]!.name, ...failure, topicId: ZERO_UUID, numPartitions: -1, replicationFactor: -1, configs: [],
      }),
    );
    const seen = new Set<string>();
    const topics: Init<CreateTopicsResponseCreatableTopicResult>[] = [];
    for (const result of results) {
      if (seen.has(result.name)) continue;
      seen.add(result.name);
      topics.push(toWire(result));
    }
    return { throttleTimeMs: 0, topics };
  },
});

function toWire(result: CreateTopicResult): Init<CreateTopicsResponseCreatableTopicResult> {
  return {
    name: result.name,
    topicId: result.topicId,
    errorCode: result.errorCode,
    errorMessage: result.errorMessage,
    topicConfigErrorCode: 0,
    numPartitions: result.numPartitions,
    replicationFactor: result.replicationFactor,
    configs: result.configs.map((c) => ({
      name: c.name,
      value: c.value,
      readOnly: c.readOnly,
      configSource: c.source,
      isSensitive: c.isSensitive,
    })),
  };
}
