/**
 * Request → `{ "$t": "Request", method, url, headers, body }` and Response →
 * `{ "$t": "Response", status, statusText, headers, body, url? }`; `headers` is a list of
 * [name, value] pairs, `body` base64 or null. A body can only be read asynchronously: the
 * synchronous serialize refuses a message that has one, and serializeAsync reads a clone of it
 * after the walk (so the caller's message stays readable) and fills in the node.
 */
import { bytesToBase64 } from "./base64.js";
import { brandOf } from "./brands.js";
import type { EncodeState } from "./encode.js";
import { describeThrown, Rejection } from "./path.js";

export interface PendingBody {
  node: { body: string | null };
  clone: Request | Response;
}

export function encodeMessage(message: Request | Response, isRequest: boolean, s: EncodeState): unknown {
  const kind = isRequest ? "Request" : "Response";
  const hasBody = message.body !== null;
  if (hasBody && message.bodyUsed) {
    throw new Rejection(
      `a ${kind} whose body was already read cannot be recorded: its bytes are gone. Pass the data you read from it, or a ${kind} that was not read yet.`,
    );
  }
  if (hasBody && s.pending === null) {
    throw new Rejection(
      `a ${kind} with a body cannot be serialized synchronously: its body must be read first. Use serializeAsync(), or pass the body's data instead.`,
    );
  }
  const headers = [...message.headers];
  let node: { body: string | null };
  if (isRequest) {
    const request = message as Request;
    node = { $t: "Request", method: request.method, url: request.url, headers, body: null } as typeof node;
  } else {
    const response = message as Response;
    const fields = { $t: "Response", status: response.status, statusText: response.statusText, headers, body: null };
    node = (response.url ? { ...fields, url: response.url } : fields) as typeof node;
  }
  if (hasBody) s.pending!.push({ node, clone: message.clone() });
  return node;
}

/** Reads every pending body into its node. */
export async function readPendingBodies(pending: readonly PendingBody[]): Promise<void> {
  await Promise.all(
    pending.map(async (p) => {
      let bytes: ArrayBuffer;
      try {
        bytes = await p.clone.arrayBuffer();
      } catch (thrown) {
        const kind = brandOf(p.clone).slice(8, -1);
        throw new Rejection(`reading the body of a ${kind} in it failed: ${describeThrown(thrown)}`);
      }
      p.node.body = bytesToBase64(new Uint8Array(bytes));
    }),
  );
}

/** Releases the clones of a walk that failed, so their streams do not hold buffered data. */
export function cancelPendingBodies(pending: readonly PendingBody[]): void {
  for (const p of pending) p.clone.body?.cancel().catch(() => {});
}
