/** Two builds of one small app for the deploy tests: the workflow and its step bodies change between them. */
import { registries } from "../../src/host/registry.js";
import { type CompiledApp, compileApp } from "./app.js";

export const WF = "workflow//workflows/deploy.ts//deploy";

/** One build of the app: its bundle and only its own steps (as a process of that build has). */
export async function build(source: string): Promise<CompiledApp & { steps: Map<string, never> }> {
  registries().steps.clear();
  const app = await compileApp({ "workflows/deploy.ts": source });
  return { ...app, steps: new Map(registries().steps) as Map<string, never> };
}

export const BUILD_A = `
  import { createHook } from "hookline";
  export async function deploy(id: string) {
    "use workflow";
    const charged = await charge(id);
    const approval = await createHook<string>({ token: "approve:" + id });
    const shipped = await ship(id);
    return { build: "A", charged, approval, shipped };
  }
  async function charge(id: string) { "use step"; return "A-charge " + id; }
  async function ship(id: string) { "use step"; return "A-ship " + id; }
`;

/** Changed workflow code (another shape, another order) and changed step bodies. */
export const BUILD_B = `
  import { createHook } from "hookline";
  export async function deploy(id: string) {
    "use workflow";
    const approval = await createHook<string>({ token: "approve:" + id });
    const shipped = await ship(id);
    const charged = await charge(id);
    return { build: "B", approval, shipped, charged };
  }
  async function charge(id: string) { "use step"; return "B-charge " + id; }
  async function ship(id: string) { "use step"; return "B-ship " + id; }
`;
