/**
 * Card checks the stack-trace workflows (workflows/stacks.ts) call from a step: ordinary server
 * code in a file with no directive, as a team keeps its helpers. Its error class takes its name
 * from the class itself, which a minifier would rename.
 */
import { FatalError } from "hookline";

export class CardExpiredError extends FatalError {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export function checkExpiry(orderId: string, expiry: string): void {
  if (expiry < "2026-12") throw new CardExpiredError(`the card for ${orderId} expired in ${expiry}`);
}
