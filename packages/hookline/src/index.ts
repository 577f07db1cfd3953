/** `hookline`: what workflow and step code imports. Inside workflows the bundle resolves ./workflow.ts instead. */
export * from "@hookline/core";
