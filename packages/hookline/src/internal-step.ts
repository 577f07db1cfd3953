export * from "@hookline/core/internal/step";
