/**
 * A stand-in for the runtime's helper modules (hookline/internal/{workflow,step,client}) that
 * behaves like the real one where the transform's output depends on it: registrations by id,
 * step calls routed by id with their arguments and closure copied as if serialized, and stubs
 * that carry a workflowId and refuse direct calls.
 */
type Fn = (...args: unknown[]) => unknown;

export interface StepCall {
  id: string;
  args: unknown[];
  closure?: Record<string, unknown>;
  self?: unknown;
}

export interface DoubleState {
  workflows: Map<string, Fn>;
  steps: Map<string, { fn: Fn; closure: boolean }>;
  calls: StepCall[];
}

const KEY = Symbol.for("hookline.transform.test.double");

export function double(): DoubleState {
  const global = globalThis as Record<symbol, DoubleState | undefined>;
  global[KEY] ??= { workflows: new Map(), steps: new Map(), calls: [] };
  return global[KEY];
}

export function resetDouble(): void {
  (globalThis as Record<symbol, DoubleState | undefined>)[KEY] = undefined;
}

export function registerWorkflow(id: string, fn: Fn): void {
  if (double().workflows.has(id)) throw new Error(`workflow ${id} registered twice`);
  double().workflows.set(id, fn);
}

export function registerStep(id: string, fn: Fn, options?: { closure?: boolean }): void {
  if (double().steps.has(id)) throw new Error(`step ${id} registered twice`);
  double().steps.set(id, { fn, closure: options?.closure === true });
}

/** Routes the call to the step registered under `id` (as the host would), recording it. */
export function stepProxy(
  id: string,
  closure?: () => Record<string, unknown>,
): (...args: unknown[]) => Promise<unknown> {
  return async (...args: unknown[]) => {
    const call: StepCall = { id, args: structuredClone(args) };
    if (closure) call.closure = structuredClone(closure());
    double().calls.push(call);
    const step = double().steps.get(id);
    if (!step) throw new Error(`no step registered under ${id}`);
    return step.closure ? step.fn(call.closure, ...call.args) : step.fn(...call.args);
  };
}

/** An instance-method step: the host gets a copy of the instance (its own fields) as `this`. */
export function methodStepProxy(id: string, self: unknown): (...args: unknown[]) => Promise<unknown> {
  return async (...args: unknown[]) => {
    const call: StepCall = { id, args: structuredClone(args), self: structuredClone({ ...(self as object) }) };
    double().calls.push(call);
    const step = double().steps.get(id);
    if (!step) throw new Error(`no step registered under ${id}`);
    return step.fn.apply(call.self, call.args);
  };
}

/** A step function passed as a value: the double keeps what the runtime would record (id, closure). */
export function markStep<T>(fn: T, id: string, closure?: () => Record<string, unknown>): T {
  Object.defineProperty(fn, "stepRef", { value: { id, closure } });
  return fn;
}

export function workflowStub(id: string, name: string): Fn & { workflowId: string } {
  const stub = () => {
    throw new Error(`${name}() is a workflow and cannot be called directly. Start it with start(${name}, [args]).`);
  };
  return Object.assign(stub, { workflowId: id });
}
