import { packageBuild } from "../../tsup.shared.js";
export default packageBuild({
  index: "src/index.ts",
  api: "src/api.ts",
  runtime: "src/runtime.ts",
  "world/index": "src/world/index.ts",
  "workflow/index": "src/workflow/index.ts",
  "workflow/internal": "src/workflow/internal.ts",
  "workflow/api": "src/workflow/api.ts",
  "host/internal-step": "src/host/internal-step.ts",
  "host/internal-client": "src/host/internal-client.ts",
  // Started as a worker thread by replay checks of many logs (replay-pool.ts).
  "host/replay-worker": "src/host/replay-worker.ts",
});
