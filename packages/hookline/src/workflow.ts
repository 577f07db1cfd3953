/** `hookline` inside the workflow sandbox (export condition "hookline-workflow"). */
export * from "@hookline/core/workflow";
