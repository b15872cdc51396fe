// DeleteGroups (42): removes empty groups and their committed offsets (tombstones in
// `__consumer_offsets`). Per group: NONE, GROUP_ID_NOT_FOUND, or NON_EMPTY_GROUP while members
// remain. Versions 0-2 differ only in encoding.
// Known gaps: no authorization.
import { DeleteGroupsRequest } from '../../protocol/generated/delete-groups-request.js';
import { DeleteGroupsResponse } from '../../protocol/generated/delete-groups-response.js';
import { defineHandler } from '../handler.js';

export const deleteGroupsHandler = defineHandler({
  request: DeleteGroupsRequest,
  response: DeleteGroupsResponse,
  minVersion: 0,
  maxVersion: 2,
  async handle(ctx, req) {
    const res = await ctx.broker.groups.call({ kind: 'deleteGroups', apiVersion: ctx.apiVersion, req: { groupsNames: req.groupsNames } });
    return { throttleTimeMs: 0, results: res.results.map((r) => ({ groupId: r.groupId, errorCode: r.errorCode })) };
  },
});
