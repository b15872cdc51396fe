// The data API handlers (see docs/architecture.md): the produce and fetch hot paths and the
// offset/log-management calls that sit next to them. Shared helpers are in data-common.ts.
import type { ApiHandler } from '../handler.js';
import { produceHandler } from './00-produce.js';
import { fetchHandler } from './01-fetch.js';
import { listOffsetsHandler } from './02-list-offsets.js';
import { deleteRecordsHandler } from './21-delete-records.js';
import { initProducerIdHandler } from './22-init-producer-id.js';
import { offsetForLeaderEpochHandler } from './23-offset-for-leader-epoch.js';
import { describeLogDirsHandler } from './35-describe-log-dirs.js';

export const dataHandlers: readonly ApiHandler[] = [
  produceHandler,
  fetchHandler,
  listOffsetsHandler,
  deleteRecordsHandler,
  initProducerIdHandler,
  offsetForLeaderEpochHandler,
  describeLogDirsHandler,
];
