/** `hookline/api`: start runs, read them, resume hooks. Importing it configures the process's runtime. */
import "./configure.js";

export * from "@hookline/core/api";
