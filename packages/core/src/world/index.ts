export * from "./events.js";
export * from "./world.js";
export * from "./projection.js";
