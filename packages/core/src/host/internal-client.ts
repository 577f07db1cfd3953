/** What compiled client-mode code calls (see packages/transform/spec.md). */
export { workflowStub } from "./workflow-stub.js";
