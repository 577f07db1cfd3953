/** getWorkflowMetadata()'s value, built the same way in workflows (sandbox) and in steps (host). */
import type { WorkflowMetadataInfo } from "./public-types.js";

export function workflowMetadataInfo(run: {
  runId: string;
  workflowId: string;
  workflowName: string;
  startedAt: number;
  url: string;
}): WorkflowMetadataInfo {
  const startedAt = new Date(run.startedAt);
  return {
    runId: run.runId,
    workflowId: run.workflowId,
    workflowName: run.workflowName,
    startedAt,
    url: run.url,
    workflowRunId: run.runId,
    workflowStartedAt: startedAt,
  };
}
