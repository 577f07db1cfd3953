import type { NextConfig } from "next";
import { withWorkflow } from "hookline/next";

const nextConfig: NextConfig = {
  // The tests build the same app twice (Turbopack and webpack) side by side.
  distDir: process.env.EXAMPLE_DIST_DIR ?? ".next",
  // The webpack build is also served under a basePath, as apps mounted below a path are.
  ...(process.env.EXAMPLE_BASE_PATH ? { basePath: process.env.EXAMPLE_BASE_PATH } : {}),
};

export default withWorkflow(nextConfig);
