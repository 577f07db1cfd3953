/**
 * The app's own endpoint for carrier updates: `?token=` names the waiting webhook, and the
 * request is forwarded to it with resumeWebhook. The answer is the workflow's own response.
 */
import { HookNotFoundError, resumeWebhook } from "hookline/api";

export async function POST(request: Request) {
  const token = new URL(request.url).searchParams.get("token");
  if (!token) return Response.json({ error: "The token query parameter is required." }, { status: 400 });
  try {
    return await resumeWebhook(token, request);
  } catch (error) {
    if (HookNotFoundError.is(error))
      return Response.json({ error: "No shipment is waiting for updates with this token." }, { status: 404 });
    throw error;
  }
}
