export * from "@hookline/core/internal/workflow";
