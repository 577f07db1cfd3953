// Starts Hookline's runtime as a standalone server (output: "standalone") starts: its server.js
// never runs next.config, where withWorkflow does that under `next start`. Elsewhere it does nothing.
export { register } from "hookline/instrumentation";
