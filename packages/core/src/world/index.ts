export * from "./events.js";
export * from "./world.js";
export * from "./projection.js";
export * from "../shared/errors.js";
export * from "./checks.js";
