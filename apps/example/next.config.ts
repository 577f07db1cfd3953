import { withWorkflow } from "hookline/next";
import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // The tests build the same app more than once (Turbopack, webpack, standalone) side by side.
  distDir: process.env.EXAMPLE_DIST_DIR ?? ".next",
  // The webpack build is also served under a basePath, as apps mounted below a path are.
  ...(process.env.EXAMPLE_BASE_PATH ? { basePath: process.env.EXAMPLE_BASE_PATH } : {}),
  // The standalone build is served by its own server.js, as a container image runs it.
  ...(process.env.EXAMPLE_STANDALONE === "1" ? { output: "standalone" as const } : {}),
};

// The dev and standalone tests set the webhook route's rate limit in code, as an app may.
const burst = Number(process.env.EXAMPLE_WEBHOOK_BURST ?? 0);
export default withWorkflow(nextConfig, burst > 0 ? { webhooks: { rateLimit: { burst, perSecond: 0.1 } } } : {});
