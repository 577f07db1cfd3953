/** Starts one of the webhook lab's workflows (workflows/webhook-lab.ts): what the hardening tests and benchmark drive. */
import { start } from "hookline/api";
import { labCarried, labChosenToken, labGuarded, labInbox, labManual, labRevealed } from "@/workflows/webhook-lab";

export async function POST(request: Request) {
  const body = (await request.json().catch(() => null)) as { workflow?: string; delayMs?: number } | null;
  switch (body?.workflow) {
    case "labInbox":
      return started(await start(labInbox, []));
    case "labManual":
      return started(await start(labManual, [body.delayMs ?? 0]));
    case "labRevealed":
      return started(await start(labRevealed, []));
    case "labCarried":
      return started(await start(labCarried, []));
    case "labGuarded":
      return started(await start(labGuarded, []));
    case "labChosenToken":
      return started(await start(labChosenToken, []));
    default:
      return Response.json(
        { error: "workflow must be one of labInbox, labManual, labRevealed, labCarried, labGuarded, labChosenToken" },
        { status: 400 },
      );
  }
}

function started(run: { runId: string }): Response {
  return Response.json({ runId: run.runId });
}
