/**
 * Card checks the stack-trace workflows (workflows/stacks.ts) call from a step: ordinary server
 * code in a file with no directive, as a team keeps its helpers. Its error class takes its name
 * from the class itself, which a minifier would rename; and it declares names the step's file
 * declares too (validateCard, PaperReceipt), which a bundler hoisting both modules into one scope
 * would rename in one of them.
 */
import { FatalError } from "hookline";

export class CardExpiredError extends FatalError {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

class PaperReceipt {
  constructor(readonly text: string) {}
}

function validateCard(orderId: string, expiry: string): PaperReceipt {
  if (expiry < "2026-12") throw new CardExpiredError(`the card for ${orderId} expired in ${expiry}`);
  return new PaperReceipt(`the card for ${orderId} is valid`);
}

export function checkExpiry(orderId: string, expiry: string): string {
  return validateCard(orderId, expiry).text;
}
