/** `hookline/next`: the Next.js plugin. */
export * from "@hookline/next";
