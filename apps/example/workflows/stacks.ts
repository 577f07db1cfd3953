/**
 * Failures whose stack traces and messages must read as the source does in every build (next
 * build with Turbopack or webpack, standalone, next dev): test/support/stacks.ts drives them
 * through app/api/stacks.
 */
import { checkExpiry } from "@/lib/cards";

/** A step fails in a helper it calls (and that helper in another file's). */
export async function expiredCard(orderId: string) {
  "use workflow";
  await chargeCard(orderId);
}

async function chargeCard(orderId: string) {
  "use step";
  validateCard(orderId);
}

function validateCard(orderId: string): void {
  checkExpiry(orderId, "2020-01");
}

/** The workflow's own code fails, with its own error class. */
export async function rejectedOrder(orderId: string) {
  "use workflow";
  checkOrder(orderId);
}

class OrderRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

function checkOrder(orderId: string): void {
  throw new OrderRejectedError(`order ${orderId} is rejected`);
}

/** A step returns an instance of a class nobody registered: the message names the class. */
export async function unrecordableReceipt(orderId: string) {
  "use workflow";
  return await issueReceipt(orderId);
}

class PaperReceipt {
  constructor(readonly orderId: string) {}
}

async function issueReceipt(orderId: string) {
  "use step";
  return new PaperReceipt(orderId);
}
