/**
 * A simulated partner service: workflows hand it what it needs to call back later (a URL, a
 * token), and it keeps that by id, as a real partner would in its own database.
 */
import { handoutFor, rememberHandout } from "@/lib/outside-services";

export async function POST(request: Request) {
  const handout = (await request.json().catch(() => null)) as { id?: unknown } | null;
  if (typeof handout?.id !== "string") return Response.json({ error: "id required" }, { status: 400 });
  rememberHandout({ ...handout, id: handout.id });
  return new Response(null, { status: 204 });
}

export async function GET(request: Request) {
  const handout = handoutFor(new URL(request.url).searchParams.get("id") ?? "");
  return handout
    ? Response.json(handout)
    : Response.json({ error: "Nothing was handed out for this id." }, { status: 404 });
}
