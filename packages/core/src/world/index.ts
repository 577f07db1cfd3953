export * from "../shared/errors.js";
export * from "./bundles.js";
export * from "./checks.js";
export * from "./events.js";
export * from "./projection.js";
export * from "./schedules.js";
export * from "./streams.js";
export * from "./world.js";
