// LeaveGroup (13): members leave a classic group, which then rebalances without them.
//
// Version mapping: v0-2 name one member (`memberId`) and answer with one top-level error; v3+
// name a batch (`members`, with static instance ids) and answer per member, the top-level error
// being only for group-level failures; v5+ adds a reason per member (passed on, not acted upon). The
// coordinator picks the layout from `apiVersion`.
// Known gaps: no authorization.
import { LeaveGroupRequest } from '../../protocol/generated/leave-group-request.js';
import { LeaveGroupResponse } from '../../protocol/generated/leave-group-response.js';
import { defineHandler } from '../handler.js';

const BATCHED_MIN_VERSION = 3;

export const leaveGroupHandler = defineHandler({
  request: LeaveGroupRequest,
  response: LeaveGroupResponse,
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, req) {
    const batched = ctx.apiVersion >= BATCHED_MIN_VERSION;
    const res = await ctx.broker.groups.call({
      kind: 'leave',
      apiVersion: ctx.apiVersion,
      req: {
        groupId: req.groupId,
        memberId: batched ? '' : req.memberId,
        members: batched
          ? req.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, reason: m.reason }))
          : [],
      },
    });
    return {
      throttleTimeMs: 0,
      errorCode: res.errorCode,
      members: res.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: m.errorCode })),
    };
  },
});
