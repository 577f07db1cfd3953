/**
 * Hook tokens. A webhook token is an HMAC of the deployment secret and the hook's identity:
 * 256 bits nobody can predict without the secret, and that replay re-derives instead of
 * reading back. The world stores only SHA-256 hashes of tokens. Several secrets may be
 * configured (the first is current) so rotating the secret keeps old URLs working until the
 * old secret is removed.
 */
import { createHash, createHmac } from "node:crypto";
import { ConfigError } from "../shared/errors.js";

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

interface Key {
  id: string;
  secret: string;
}

export class TokenIssuer {
  readonly #keys: Key[];

  /** `secrets`: the current secret first, then older ones still honoured. */
  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) throw new ConfigError("Hookline needs a deployment secret to issue webhook tokens.");
    for (const secret of secrets) {
      if (secret.length < 32) {
        throw new ConfigError(
          "The Hookline secret is too short: use at least 32 characters of random data (e.g. `openssl rand -hex 32`) in HOOKLINE_SECRET.",
        );
      }
    }
    this.#keys = secrets.map((secret) => ({
      id: createHash("sha256").update(secret).digest("hex").slice(0, 12),
      secret,
    }));
  }

  get currentKeyId(): string {
    return this.#keys[0]!.id;
  }

  /** True while the secret `keyId` names is configured; a removed secret ends its tokens. */
  knows(keyId: string | undefined): boolean {
    return keyId === undefined || this.#keys.some((k) => k.id === keyId);
  }

  /** The token of hook `corr` in `runId`, from the secret `keyId` (the current one by default); null if that secret was removed. */
  webhookToken(runId: string, corr: string, keyId = this.currentKeyId): string | null {
    const key = this.#keys.find((k) => k.id === keyId);
    if (!key) return null;
    return createHmac("sha256", key.secret).update(`webhook:${runId}:${corr}`).digest("base64url");
  }

  /** Signs internal requests (e.g. the runtime calling its own routes). */
  sign(payload: string): string {
    return createHmac("sha256", this.#keys[0]!.secret).update(`internal:${payload}`).digest("base64url");
  }
}
