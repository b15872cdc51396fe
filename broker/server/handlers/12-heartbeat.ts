// Heartbeat (12): a member of a classic group keeps its session alive and learns of rebalances
// (REBALANCE_IN_PROGRESS tells it to rejoin). Answered at once.
// Version mapping: v3+ static membership (groupInstanceId). Known gaps: no authorization.
import { HeartbeatRequest } from '../../protocol/generated/heartbeat-request.js';
import { HeartbeatResponse } from '../../protocol/generated/heartbeat-response.js';
import { defineHandler } from '../handler.js';

const STATIC_MEMBERSHIP_MIN_VERSION = 3;

export const heartbeatHandler = defineHandler({
  request: HeartbeatRequest,
  response: HeartbeatResponse,
  minVersion: 0,
  maxVersion: 4,
  async handle(ctx, req) {
    const res = await ctx.broker.groups.call({
      kind: 'heartbeat',
      apiVersion: ctx.apiVersion,
      req: {
        groupId: req.groupId,
        generationId: req.generationId,
        memberId: req.memberId,
        groupInstanceId: ctx.apiVersion >= STATIC_MEMBERSHIP_MIN_VERSION ? req.groupInstanceId : null,
      },
    });
    return { throttleTimeMs: 0, errorCode: res.errorCode };
  },
});
