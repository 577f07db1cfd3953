import { createHook, getStepMetadata, RetryableError, sleep } from "hookline";

export type ReleaseWait = "sleep" | "hook" | "retry";

/**
 * A release that waits the way long runs do (a durable sleep, a person's go-ahead on a hook, or
 * a flaky step backing off), so a deploy lands while it is in flight: it finishes on the workflow
 * code it started with, and its steps run the code deployed since (docs/deploys.md).
 */
export async function release(id: string, wait: ReleaseWait) {
  "use workflow";
  const prepared = await prepareRelease(id);
  if (wait === "sleep") await sleep("8s");
  if (wait === "hook") await createHook<string>({ token: `release:${id}` });
  if (wait === "retry") await publishArtifacts(id);
  const shipped = await shipRelease(id);
  return { id, workflow: "v1", prepared, shipped };
}

async function prepareRelease(id: string) {
  "use step";
  return `prepared ${id}`;
}

/** Fails its first attempt, asking to be retried in 8 s. */
async function publishArtifacts(id: string) {
  "use step";
  if (getStepMetadata().attempt === 1) throw new RetryableError("the artifact store is busy", { retryAfter: "8s" });
  return `published ${id}`;
}

async function shipRelease(id: string) {
  "use step";
  return `shipped ${id} with step code v1`;
}
