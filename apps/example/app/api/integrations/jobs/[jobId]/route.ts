/**
 * Where the render service reports a job's end: `{ status: "succeeded", result }` resumes the
 * run's hook `render:<jobId>` with the result; `{ status: "failed", error }` makes its await throw.
 */
import { HookNotFoundError, rejectHook, resumeHook } from "hookline/api";
import type { RenderResult } from "@/workflows/integrations";

type Report = { status: "succeeded"; result: RenderResult } | { status: "failed"; error: string };

export async function POST(request: Request, { params }: { params: Promise<{ jobId: string }> }) {
  const token = `render:${(await params).jobId}`;
  const report = (await request.json().catch(() => null)) as Report | null;
  try {
    if (report?.status === "succeeded" && report.result) return Response.json(await resumeHook(token, report.result));
    if (report?.status === "failed" && typeof report.error === "string")
      return Response.json(await rejectHook(token, new Error(report.error)));
  } catch (error) {
    if (HookNotFoundError.is(error))
      return Response.json({ error: "No job is waiting for this report." }, { status: 404 });
    throw error;
  }
  return Response.json(
    { error: 'Send { status: "succeeded", result } or { status: "failed", error }.' },
    { status: 400 },
  );
}
