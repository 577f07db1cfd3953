/**
 * The deployment secret of a local world: 32 random bytes made on first use and kept in
 * `<dir>/secret` (mode 0600), outside the run records. It is created exclusively, so two
 * processes starting at once agree on one secret: the loser reads the winner's.
 */
import { randomBytes } from "node:crypto";
import { WorldError } from "@hookline/core/world";
import { SECRET_KEY } from "./keys.js";
import type { Store } from "./store.js";

const HEX_64 = /^[0-9a-f]{64}$/;

export async function loadOrCreateSecret(store: Store, location: string): Promise<string> {
  const existing = await store.readText(SECRET_KEY);
  if (existing !== null) return checked(existing, location);
  const fresh = randomBytes(32).toString("hex");
  if (await store.create(SECRET_KEY, fresh, { mode: 0o600 })) return fresh;
  return checked((await store.readText(SECRET_KEY)) ?? "", location);
}

function checked(text: string, location: string): string {
  const secret = text.trim();
  if (!HEX_64.test(secret)) {
    throw new WorldError(
      `Local world: the secret in ${location} is not 64 hex characters. Delete the file to make a new one (outstanding webhook URLs stop working), or set HOOKLINE_SECRET.`,
      { code: "HOOKLINE_CONFIG" },
    );
  }
  return secret;
}
