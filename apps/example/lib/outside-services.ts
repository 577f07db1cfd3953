/**
 * What the simulated outside services (the payment provider, the verification vendor) remember:
 * each call they made to a webhook URL and the answer they got. Kept on globalThis because
 * every route of a Next server may load its own copy of this module.
 */
export interface Delivery {
  at: string;
  event: string;
  status: number | null;
  answer: string;
}

type Logs = Map<string, Delivery[]>;
const KEY = Symbol.for("hookline.example.outside-services");

function logs(): Logs {
  const slot = globalThis as Record<symbol, Logs | undefined>;
  slot[KEY] ??= new Map();
  return slot[KEY];
}

export function deliveriesFor(id: string): Delivery[] {
  return logs().get(id) ?? [];
}

/** POSTs `body` to a webhook URL, as a provider would, and writes down what came back. */
export async function deliver(
  id: string,
  url: string,
  event: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<void> {
  const entry: Delivery = { at: new Date().toISOString(), event, status: null, answer: "…waiting for the answer" };
  const list = logs().get(id) ?? [];
  list.push(entry);
  logs().set(id, list);
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    entry.status = response.status;
    entry.answer = (await response.text()) || response.statusText;
  } catch (error) {
    entry.answer = `request failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}

export function later(ms: number, task: () => Promise<void>): void {
  setTimeout(() => void task().catch((error) => console.error("[example] outside service:", error)), ms);
}

/**
 * The simulated partner of the integration scenarios (app/api/integrations/partner): what each
 * run handed it (a callback URL, a token), by the id it was handed for, as a real partner would
 * keep it in its own database until it calls back.
 */
export type Handout = Record<string, unknown> & { id: string };
const HANDOUTS = Symbol.for("hookline.example.handouts");

function handouts(): Map<string, Handout> {
  const slot = globalThis as Record<symbol, Map<string, Handout> | undefined>;
  slot[HANDOUTS] ??= new Map();
  return slot[HANDOUTS];
}

export function rememberHandout(handout: Handout): void {
  handouts().set(handout.id, handout);
}

export function handoutFor(id: string): Handout | undefined {
  return handouts().get(id);
}
