/** What a "use workflow" function becomes outside the sandbox: a handle for start(). */
import { HooklineError } from "../shared/errors.js";

export interface WorkflowHandle {
  readonly workflowId: string;
}

export function workflowStub(id: string, name: string): ((...args: unknown[]) => never) & WorkflowHandle {
  const stub = () => {
    throw new HooklineError(
      `${name}() is a workflow and cannot be called directly. Start it with start(${name}, [args]) from "hookline/api".`,
    );
  };
  Object.defineProperty(stub, "name", { value: name });
  Object.defineProperty(stub, "workflowId", { value: id, enumerable: true });
  return stub as unknown as ((...args: unknown[]) => never) & WorkflowHandle;
}
