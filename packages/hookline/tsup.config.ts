import { packageBuild } from "../../tsup.shared.js";
export default packageBuild({
  index: "src/index.ts",
  workflow: "src/workflow.ts",
  "workflow-api": "src/workflow-api.ts",
  api: "src/api.ts",
  next: "src/next.ts",
  instrumentation: "src/instrumentation.ts",
  testing: "src/testing.ts",
  "testing-vite": "src/testing-vite.ts",
  "internal-workflow": "src/internal-workflow.ts",
  "internal-step": "src/internal-step.ts",
  "internal-client": "src/internal-client.ts",
  "internal-next": "src/internal-next.ts",
  cli: "src/cli.ts",
});
