/** Steps shared by workflows: a file of its own, as a team would keep its side effects. */
export async function writeReceipt(orderId: string, amountCents: number): Promise<string> {
  "use step";
  return `Thank you! Order ${orderId}: ${(amountCents / 100).toFixed(2)} EUR received.`;
}
