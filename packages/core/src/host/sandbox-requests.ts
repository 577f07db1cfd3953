/**
 * What the workflow asks of the host through the bridge (`host.request(op)`), entered in the
 * run's operation table for the drive to record: a step call, a sleep, a hook (whose token is
 * derived here and handed back, with its URL for a webhook), a hook's dispose, a child run.
 */
import type { OpRequest } from "../workflow/kernel.js";
import type { HookTokens } from "./hook-tokens.js";
import type { OperationTable } from "./operations.js";

export function requestOperation(
  ops: OperationTable,
  hookTokens: HookTokens,
  op: OpRequest,
  webhookUrl: (token: string) => string,
): { token: string; url?: string } | undefined {
  switch (op.kind) {
    case "step":
      ops.request({
        corr: op.corr,
        kind: "step",
        stepId: op.stepId,
        args: op.args,
        closure: op.closure,
        self: op.self,
      });
      return undefined;
    case "sleep":
      ops.request({ corr: op.corr, kind: "sleep", until: op.until });
      return undefined;
    case "child":
      ops.request({ corr: op.corr, kind: "child", workflowId: op.workflowId, args: op.args, detached: op.detached });
      return undefined;
    case "dispose": {
      const hook = ops.get(op.corr);
      if (hook && !hook.done) {
        hook.disposeRequested = true;
        ops.pending.add(hook);
      }
      return undefined;
    }
    case "hook": {
      const { token, tokenHash, keyId } = hookTokens.tokenFor(op.corr, op.token);
      ops.request({
        corr: op.corr,
        kind: "hook",
        hookKind: op.hookKind,
        token,
        tokenHash,
        ...(op.token === undefined ? { keyId } : {}),
        ...(op.definition === undefined ? {} : { definition: op.definition }),
        metadata: op.metadata,
        expiresAt: op.expiresAt,
        webhook: op.webhook,
      });
      return op.hookKind === "webhook" ? { token, url: webhookUrl(token) } : { token };
    }
  }
}
