/**
 * A simulated verification vendor: it checks a document and calls the webhook URL back after a
 * while. A "slow" check answers long after the workflow's deadline, and gets 410 Gone.
 */
import { deliver, deliveriesFor, later } from "@/lib/outside-services";
import { VENDOR_DEADLINE_SECONDS } from "@/workflows/verification";

export async function POST(request: Request) {
  const { documentId, scan, callbackUrl } = (await request.json()) as {
    documentId: string;
    scan: string;
    callbackUrl: string;
  };
  const answer =
    scan === "blurry"
      ? { verdict: "rejected", reason: "the photo is too blurry to read" }
      : { verdict: "approved", reason: "all fields match" };
  const delay = scan === "slow" ? (VENDOR_DEADLINE_SECONDS + 3) * 1000 : 1500;
  later(delay, () => deliver(documentId, callbackUrl, `check.${answer.verdict}`, answer));
  return Response.json({ checkId: `chk_${documentId}` }, { status: 202 });
}

export async function GET(request: Request) {
  const documentId = new URL(request.url).searchParams.get("documentId") ?? "";
  return Response.json({ deliveries: deliveriesFor(documentId) });
}
