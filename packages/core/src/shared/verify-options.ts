/**
 * `createWebhook({ verify })`: how a provider's signed callbacks are checked before anything
 * is recorded. The secret is read on the server from the environment variable `secretEnv`,
 * so it never enters the event log.
 */
import { InvalidArgumentError } from "./errors.js";

export type VerifyOptions =
  | { scheme: "standard-webhooks"; secretEnv: string; toleranceSeconds?: number }
  | { scheme: "stripe"; secretEnv: string; toleranceSeconds?: number }
  | { scheme: "github"; secretEnv: string }
  | {
      scheme: "hmac";
      secretEnv: string;
      /** Header carrying the signature. */
      header: string;
      algorithm?: "sha256" | "sha1" | "sha512";
      encoding?: "hex" | "base64" | "base64url";
      /** Text before the signature in the header, e.g. "sha256=". */
      prefix?: string;
    };

const SCHEMES = new Set(["standard-webhooks", "stripe", "github", "hmac"]);
const ALGORITHMS = new Set(["sha256", "sha1", "sha512"]);
const ENCODINGS = new Set(["hex", "base64", "base64url"]);

/** Checks the shape of `verify` where the workflow declares it, so a typo fails at once. */
export function checkVerifyOptions(value: unknown, where: string): VerifyOptions {
  const options = value as Record<string, unknown> | null;
  const bad = (what: string): never => {
    throw new InvalidArgumentError(`${where}: verify.${what}`);
  };
  if (typeof options !== "object" || options === null)
    bad(`must be an object like { scheme: "stripe", secretEnv: "STRIPE_WEBHOOK_SECRET" }.`);
  if (!SCHEMES.has(options!.scheme as string))
    bad(`scheme must be one of ${[...SCHEMES].join(", ")}; got ${JSON.stringify(options!.scheme)}.`);
  if (typeof options!.secretEnv !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(options!.secretEnv)) {
    bad(
      "secretEnv must name an environment variable holding the secret (the secret itself must not appear in workflow code).",
    );
  }
  if (
    options!.toleranceSeconds !== undefined &&
    !(typeof options!.toleranceSeconds === "number" && options!.toleranceSeconds > 0)
  ) {
    bad("toleranceSeconds must be a positive number.");
  }
  if (options!.scheme === "hmac") {
    if (typeof options!.header !== "string" || options!.header.length === 0)
      bad("header must name the header carrying the signature.");
    if (options!.algorithm !== undefined && !ALGORITHMS.has(options!.algorithm as string))
      bad(`algorithm must be one of ${[...ALGORITHMS].join(", ")}.`);
    if (options!.encoding !== undefined && !ENCODINGS.has(options!.encoding as string))
      bad(`encoding must be one of ${[...ENCODINGS].join(", ")}.`);
  }
  return options as VerifyOptions;
}
