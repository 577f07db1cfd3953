/**
 * A shared model with the Workflow SDK's serialization methods, in a file without a directive,
 * imported by a workflow and its step (workflows/compat-models.ts) and by a route
 * (app/api/compat/models): Hookline's compiler registers it, as the SDK's does, with no
 * registerSerializableClass call.
 */
import { WORKFLOW_DESERIALIZE, WORKFLOW_SERIALIZE } from "hookline";

export class Money {
  constructor(
    readonly cents: number,
    readonly currency: string,
  ) {}

  static [WORKFLOW_SERIALIZE](money: Money) {
    return { cents: money.cents, currency: money.currency };
  }

  static [WORKFLOW_DESERIALIZE](data: { cents: number; currency: string }) {
    return new Money(data.cents, data.currency);
  }

  add(other: Money): Money {
    return new Money(this.cents + other.cents, this.currency);
  }

  percent(rate: number): Money {
    return new Money(Math.round((this.cents * rate) / 100), this.currency);
  }

  format(): string {
    return `${(this.cents / 100).toFixed(2)} ${this.currency}`;
  }
}
