/**
 * The Workflow SDK's instance-method example as its docs write it: a class with the serialization
 * symbols and no registration call (Hookline's compiler registers it, as the SDK's does). Started
 * by app/api/compat/classes for test/compat.test.ts.
 */

/** The SDK's own instance-method example: the class has the serialization symbols and no registration call. */
export class Counter {
  constructor(public value: number) {}
  static [Symbol.for("workflow-serialize")](instance: Counter) {
    return { value: instance.value };
  }
  static [Symbol.for("workflow-deserialize")](data: { value: number }) {
    return new Counter(data.value);
  }
  async add(amount: number): Promise<number> {
    "use step";
    return this.value + amount;
  }
  async describe(label: string): Promise<{ label: string; value: number }> {
    "use step";
    return { label, value: this.value };
  }
}

export async function instanceMethodStepWorkflow(initialValue: number) {
  "use workflow";
  const counter = new Counter(initialValue);
  const added = await counter.add(10);
  const description = await counter.describe("test counter");
  const added2 = await new Counter(100).add(50);
  return { initialValue, added, description, added2 };
}
