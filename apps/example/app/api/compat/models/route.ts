/**
 * POST starts workflows/compat-models.ts with a Money (lib/money.ts) built here; GET ?runId
 * answers its result, whose Money is used on the server too. For test/compat.test.ts.
 */
import { getRun, start } from "hookline/api";
import { Money } from "@/lib/money";
import { pricedInMoney } from "@/workflows/compat-models";

export const dynamic = "force-dynamic";

export async function POST(request: Request) {
  const { cents } = (await request.json()) as { cents: number };
  const run = await start(pricedInMoney, [new Money(cents, "EUR")]);
  return Response.json({ runId: run.runId });
}

export async function GET(request: Request) {
  const runId = new URL(request.url).searchParams.get("runId") ?? "";
  const { total, formatted, isMoney } = (await getRun(runId).returnValue) as Awaited<ReturnType<typeof pricedInMoney>>;
  return Response.json({
    formatted,
    isMoney,
    onServer: { isMoney: total instanceof Money, doubled: total.add(total).format() },
  });
}
