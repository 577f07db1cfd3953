import { start } from "hookline/api";
import { signup } from "@/app/workflows/signup";

export async function POST(request: Request) {
  const { email } = (await request.json()) as { email: string };
  const run = await start(signup, [email]);
  return Response.json({ runId: run.runId });
}
