/**
 * Step functions as values and instance-method steps, written as the Workflow SDK's docs write
 * them (only the imports changed): what test/compat.test.ts drives through app/api/compat.
 */
import { getStepMetadata, registerSerializableClass, WORKFLOW_DESERIALIZE, WORKFLOW_SERIALIZE } from "hookline";
import { start } from "hookline/api";

/** A step passed around as a value; it reports which step it ran as. */
export async function double(n: number) {
  "use step";
  return { value: n * 2, ranAs: getStepMetadata().stepName };
}

/** A step that takes a step function and calls it: the passed step runs inside this one. */
async function applyTwice(fn: (n: number) => Promise<{ value: number; ranAs: string }>, n: number) {
  "use step";
  const once = await fn(n);
  const twice = await fn(once.value);
  return { value: twice.value, ranAs: twice.ranAs };
}

/** Passes a module-level step and a step closing over the workflow's `factor` to another step. */
export async function stepAsArgument(n: number, factor: number) {
  "use workflow";
  const scale = async (x: number) => {
    "use step";
    return { value: x * factor, ranAs: getStepMetadata().stepName };
  };
  return { doubled: await applyTwice(double, n), scaled: await applyTwice(scale, n) };
}

/** Receives a step function from start() (server code) and calls it: a durable step of this run. */
export async function callsPassedStep(fn: (n: number) => Promise<{ value: number; ranAs: string }>, n: number) {
  "use workflow";
  return await fn(n);
}

/** Starts a child run with a step that closes over this workflow's `factor`. */
export async function startsChildWithStep(n: number, factor: number) {
  "use workflow";
  const scale = async (x: number) => {
    "use step";
    return { value: x * factor, ranAs: getStepMetadata().stepName };
  };
  const child = await start(callsPassedStep, [scale, n]);
  return await child.returnValue;
}

/** Instance-method steps: they run with the instance they were called on (the class is registered). */
export class Cart {
  constructor(readonly items: number[]) {}
  static [WORKFLOW_SERIALIZE](cart: Cart) {
    return { items: cart.items };
  }
  static [WORKFLOW_DESERIALIZE](data: { items: number[] }) {
    return new Cart(data.items);
  }
  async add(item: number) {
    "use step";
    return new Cart([...this.items, item]);
  }
  async total(discount: number) {
    "use step";
    return this.items.reduce((sum, item) => sum + item, 0) - discount;
  }
}
registerSerializableClass("example.Cart", Cart);

export async function instanceSteps(items: number[]) {
  "use workflow";
  const cart = await new Cart(items).add(10);
  return { isCart: cart instanceof Cart, items: cart.items, total: await cart.total(1) };
}

/** A class that is not serializable: calling its instance-method step fails the run, naming the class. */
export class Ledger {
  constructor(readonly entries: number[]) {}
  async balance() {
    "use step";
    return this.entries.reduce((sum, entry) => sum + entry, 0);
  }
}

export async function unserializableThis(entries: number[]) {
  "use workflow";
  return await new Ledger(entries).balance();
}
