// DescribeLogDirs (35), versions 0-4: for every configured log dir, the partitions hosted there
// (all of them when `topics` is null, else the requested ones that are hosted here) with their
// size on disk. offsetLag is 0 and isFutureKey false (no replica moves between dirs). From v4,
// totalBytes/usableBytes of the file system holding the dir (statfs; -1 if it cannot be read,
// e.g. with the in-memory file system of simulations).
//
// Known gaps: a log dir is always reported healthy (errorCode 0) even when some of its partitions
// are offline (Kafka reports a failed dir as KAFKA_STORAGE_ERROR); partitions whose log failed to
// open are not listed; no authorization (Kafka requires Describe on the cluster).
import { statfs } from 'node:fs/promises';
import { ErrorCode } from '../../protocol/errors.js';
import { DescribeLogDirsRequest } from '../../protocol/generated/describe-log-dirs-request.js';
import {
  DescribeLogDirsResponse,
  type DescribeLogDirsResponseDescribeLogDirsResult,
  type DescribeLogDirsResponseDescribeLogDirsTopic,
} from '../../protocol/generated/describe-log-dirs-response.js';
import type { Init } from '../../protocol/primitives.js';
import { joinPath } from '../../io/fs.js';
import { partitionDirName } from '../../storage/log-manager.js';
import type { Log } from '../../storage/log.js';
import { defineHandler } from '../handler.js';

export const describeLogDirsHandler = defineHandler({
  request: DescribeLogDirsRequest,
  response: DescribeLogDirsResponse,
  minVersion: 0,
  maxVersion: 4,
  async handle(ctx, req) {
    const { logs } = ctx.broker;
    const wanted = req.topics === null ? null : new Map(req.topics.map((t) => [t.topic, new Set(t.partitions)]));
    const byDir = new Map<string, Log[]>(logs.logDirs.map((dir) => [dir, []]));
    for (const log of logs.all()) {
      if (wanted !== null && wanted.get(log.topic)?.has(log.partition) !== true) continue;
      const dir = logs.logDirs.find((d) => joinPath(d, partitionDirName(log.topic, log.partition)) === log.dir);
      if (dir !== undefined) byDir.get(dir)!.push(log);
    }
    const results: Array<Init<DescribeLogDirsResponseDescribeLogDirsResult>> = [];
    for (const [logDir, dirLogs] of byDir) {
      const space = ctx.apiVersion >= 4 ? await diskSpace(logDir) : { totalBytes: -1n, usableBytes: -1n };
      results.push({ errorCode: ErrorCode.NONE, logDir, topics: groupByTopic(dirLogs), ...space });
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, results };
  },
});

function groupByTopic(logs: readonly Log[]): Array<Init<DescribeLogDirsResponseDescribeLogDirsTopic>> {
  const topics = new Map<string, Log[]>();
  for (const log of logs) {
    const list = topics.get(log.topic);
    if (list) list.push(log);
    else topics.set(log.topic, [log]);
  }
  return [...topics.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, list]) => ({
      name,
      partitions: list
        .sort((a, b) => a.partition - b.partition)
        .map((log) => ({ partitionIndex: log.partition, partitionSize: BigInt(log.sizeBytes), offsetLag: 0n, isFutureKey: false })),
    }));
}

async function diskSpace(dir: string): Promise<{ totalBytes: bigint; usableBytes: bigint }> {
  try {
    const s = await statfs(dir, { bigint: true });
    return { totalBytes: s.blocks * s.bsize, usableBytes: s.bavail * s.bsize };
  } catch {
    return { totalBytes: -1n, usableBytes: -1n };
  }
}
