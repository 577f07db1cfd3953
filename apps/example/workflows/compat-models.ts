/**
 * A class from a plain shared file (lib/money.ts: no directive, no registration call) crossing
 * every boundary, as SDK code does: start() argument, step argument and result, workflow result.
 * Started by app/api/compat/models for test/compat.test.ts.
 */
import { Money } from "@/lib/money";

async function addTax(price: Money, rate: number): Promise<Money> {
  "use step";
  return price.add(price.percent(rate));
}

export async function pricedInMoney(price: Money) {
  "use workflow";
  const total = await addTax(price, 20);
  return { total, formatted: total.format(), isMoney: total instanceof Money };
}
