/** Starts one of the Workflow SDK compatibility workflows (workflows/compat*.ts): what test/compat.test.ts drives. */
import { start } from "hookline/api";
import { agentTask } from "@/app/.well-known/agent/v1/steps";
import {
  addFee,
  approvalByToken,
  chargeDeclined,
  fetchInWorkflow,
  pricedOrder,
  retriedStep,
  scopedHook,
  stepThrows,
  throwsWithStack,
  timedSleep,
  waitsForever,
} from "@/workflows/compat";
import {
  callsPassedStep,
  double,
  instanceSteps,
  startsChildWithStep,
  stepAsArgument,
  unserializableThis,
} from "@/workflows/compat-values";

export async function POST(request: Request) {
  const { workflow, args = [] } = (await request.json()) as { workflow: string; args?: unknown[] };
  const [first, second] = args as [never, never];
  const run = await (async () => {
    switch (workflow) {
      case "approvalByToken":
        return start(approvalByToken, [first]);
      case "chargeDeclined":
        return start(chargeDeclined, [first]);
      case "throwsWithStack":
        return start(throwsWithStack, [first]);
      case "pricedOrder":
        return start(pricedOrder, [first]);
      case "stepThrows":
        return start(stepThrows, [first]);
      case "waitsForever":
        return start(waitsForever, []);
      case "scopedHook":
        return start(scopedHook, [first]);
      case "fetchInWorkflow":
        return start(fetchInWorkflow, [first]);
      case "timedSleep":
        return start(timedSleep, []);
      case "retriedStep":
        return start(retriedStep, []);
      case "addFee":
        return start(addFee, [first]);
      case "agentTask":
        return start(agentTask, [first]);
      case "stepAsArgument":
        return start(stepAsArgument, [first, second]);
      case "callsPassedStep":
        // A step function passed to start() from server code.
        return start(callsPassedStep, [double, first]);
      case "startsChildWithStep":
        return start(startsChildWithStep, [first, second]);
      case "instanceSteps":
        return start(instanceSteps, [first]);
      case "unserializableThis":
        return start(unserializableThis, [first]);
      default:
        return null;
    }
  })();
  if (!run) return Response.json({ error: `unknown workflow ${workflow}` }, { status: 400 });
  return Response.json({ runId: run.runId });
}
