#!/usr/bin/env node
// The `hookline` command. A file of its own (not dist/cli.js itself) so that package managers can
// link the bin before the package is built, as pnpm does in a workspace.
import "../dist/cli.js";
