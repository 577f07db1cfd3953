export * from "@hookline/core/internal/client";
