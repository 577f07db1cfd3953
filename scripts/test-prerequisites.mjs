#!/usr/bin/env node
/**
 * Before `pnpm test`: the browser tests drive Debian's Chromium at /usr/bin/chromium (nothing may
 * download a browser at install time). Installs it with apt-get when it is missing and this
 * process may (root); otherwise says what to run. PostgreSQL needs nothing: the tests use a
 * server on 127.0.0.1:5432 when there is one, else an embedded one.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const CHROMIUM = "/usr/bin/chromium";

if (!existsSync(CHROMIUM)) {
  const canInstall = process.getuid?.() === 0 && existsSync("/usr/bin/apt-get");
  if (!canInstall) {
    console.error(
      `[test] The browser tests need Chromium at ${CHROMIUM}: run \`sudo apt-get install -y chromium\`, then \`pnpm test\` again.`,
    );
    process.exit(1);
  }
  console.log(`[test] Installing Chromium (${CHROMIUM}) for the browser tests…`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update"], { stdio: "inherit", env });
  execFileSync("apt-get", ["install", "-y", "chromium"], { stdio: "inherit", env });
}
