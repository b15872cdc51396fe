// DescribeTopicPartitions (75), v0: topics and partitions like Metadata, paginated by partition
// count. An empty topic list means every topic. Topics are answered in name order starting at the
// cursor (its topic from cursor.partitionIndex); at most responsePartitionLimit partitions (capped
// at 2000, Kafka's max.request.partition.size.limit default) per response, and nextCursor names
// where to continue. Unknown names answer UNKNOWN_TOPIC_OR_PARTITION, illegal ones
// INVALID_TOPIC_EXCEPTION; they take no room in the limit.
// Known gaps: no eligible leader replicas (ELR is a KIP-966 feature; both lists are empty); no
// authorizer (topicAuthorizedOperations lists every operation).
import type { TopicImage } from '../../metadata/image.js';
import { isInternalTopic, topicNameProblem } from '../../metadata/topic-names.js';
import { ZERO_UUID } from '../../metadata/uuid.js';
import { ErrorCode } from '../../protocol/errors.js';
import { DescribeTopicPartitionsRequest } from '../../protocol/generated/describe-topic-partitions-request.js';
import {
  DescribeTopicPartitionsResponse, type DescribeTopicPartitionsResponseCursor,
  type DescribeTopicPartitionsResponseDescribeTopicPartitionsResponseTopic,
} from '../../protocol/generated/describe-topic-partitions-response.js';
import type { Init } from '../../protocol/primitives.js';
import { defineHandler } from '../handler.js';
import { PartitionRenderer, TOPIC_OPERATIONS_ALL } from './admin-common.js';

const PARTITION_LIMIT_MAX = 2000;

type TopicAnswer = Init<DescribeTopicPartitionsResponseDescribeTopicPartitionsResponseTopic>;

export const describeTopicPartitionsHandler = defineHandler({
  request: DescribeTopicPartitionsRequest,
  response: DescribeTopicPartitionsResponse,
  minVersion: 0,
  maxVersion: 0,
  handle(ctx, req) {
    const image = ctx.broker.image;
    const renderer = new PartitionRenderer(ctx.broker, image, ctx.connection.listenerName);
    const names = req.topics.length === 0 ? [...image.topicsByName.keys()] : [...new Set(req.topics.map((t) => t.name))];
    names.sort();
    const cursor = req.cursor;
    const start = cursor === null ? names : names.filter((name) => name >= cursor.topicName);
    let budget = Math.max(1, Math.min(req.responsePartitionLimit, PARTITION_LIMIT_MAX));
    const topics: TopicAnswer[] = [];
    let nextCursor: Init<DescribeTopicPartitionsResponseCursor> | null = null;
    for (const name of start) {
      const topic = image.topicsByName.get(name);
      if (topic === undefined) {
        topics.push(missing(name));
        continue;
      }
      if (budget === 0) {
        nextCursor = { topicName: name, partitionIndex: 0 };
        break;
      }
      const first = cursor !== null && name === cursor.topicName ? Math.max(0, cursor.partitionIndex) : 0;
      const partitions = topic.partitions.slice(first, first + budget);
      budget -= partitions.length;
      topics.push(describe(topic, partitions.map((p) => renderer.render(topic, p))));
      const end = first + partitions.length;
      if (end < topic.partitions.length) {
        nextCursor = { topicName: name, partitionIndex: end };
        break;
      }
    }
    return { throttleTimeMs: 0, topics, nextCursor };
  },
});

function describe(topic: TopicImage, partitions: ReturnType<PartitionRenderer['render']>[]): TopicAnswer {
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: topic.topicId,
    isInternal: isInternalTopic(topic.name),
    partitions: partitions.map((p) => ({ ...p, eligibleLeaderReplicas: [], lastKnownElr: [] })),
    topicAuthorizedOperations: TOPIC_OPERATIONS_ALL,
  };
}

function missing(name: string): TopicAnswer {
  return {
    errorCode: topicNameProblem(name) === null ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.INVALID_TOPIC_EXCEPTION,
    name,
    topicId: ZERO_UUID,
    isInternal: isInternalTopic(name),
    partitions: [],
    topicAuthorizedOperations: TOPIC_OPERATIONS_ALL,
  };
}
