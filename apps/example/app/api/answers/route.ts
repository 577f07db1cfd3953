import { start } from "hookline/api";
import { answerQuestion } from "@/workflows/answer";

export async function POST(request: Request) {
  const { question } = (await request.json()) as { question?: string };
  const run = await start(answerQuestion, [question || "What is a durable workflow?"]);
  return Response.json({ runId: run.runId });
}
