// @babel/plugin-transform-typescript ships no types; transform() only passes it to Babel.
declare module "@babel/plugin-transform-typescript" {
  import type { PluginItem } from "@babel/core";

  const plugin: PluginItem;
  export default plugin;
}
