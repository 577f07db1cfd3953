import { HookNotFoundError } from "hookline";
import { resumeHook } from "hookline/api";

/** The go-ahead for a release waiting on its hook. */
export async function POST(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    return Response.json(await resumeHook(`release:${(await params).id}`, "go"));
  } catch (error) {
    if (HookNotFoundError.is(error))
      return Response.json({ error: "No release waits for a go-ahead with this id." }, { status: 404 });
    throw error;
  }
}
