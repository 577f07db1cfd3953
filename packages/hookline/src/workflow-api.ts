/** `hookline/api` inside the workflow sandbox (export condition "hookline-workflow"): child runs, no server runtime. */
export * from "@hookline/core/workflow/api";
