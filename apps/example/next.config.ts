import type { NextConfig } from "next";
import { withWorkflow } from "hookline/next";

const nextConfig: NextConfig = {
  // The tests build the same app twice (Turbopack and webpack) side by side.
  distDir: process.env.EXAMPLE_DIST_DIR ?? ".next",
};

export default withWorkflow(nextConfig);
