// Every API this broker implements. ApiVersions advertises exactly this list.
import type { ApiHandler } from '../handler.js';
import { apiVersionsHandler } from './18-api-versions.js';
import { adminHandlers } from './admin.js';
import { dataHandlers } from './data.js';
import { groupsHandlers } from './groups.js';

export const allHandlers: readonly ApiHandler[] = [apiVersionsHandler, ...dataHandlers, ...adminHandlers, ...groupsHandlers];
