/**
 * Where everything lives, as unstorage keys (`:` separates path segments; the fs driver maps
 * each segment to a directory):
 *
 *   world.json                          layout version, written once
 *   secret                              the deployment secret (fs: mode 0600)
 *   runs:<runId>:summary.json           run summary (a checkpoint; the log wins)
 *   runs:<runId>:segments:<seq>.json    events seq… of a full block, packed (a copy: segments.ts)
 *   runs:<runId>:events:<seq>.json      one event per key, seq zero-padded to sort
 *   runs:<runId>:hooks:<hookId>.json    the run's hooks, active and ended
 *   runs:<runId>:streams:<ns>:<index>   a stream chunk (the runtime's text), index zero-padded
 *   runs:<runId>:streams:<ns>:closed.json  present once the stream was closed
 *   hooks:<tokenHash>.json              the hook holding a token hash (O(1) lookup)
 *   starts:<sha256(key)>.json           the run holding a start's idempotency key (O(1) lookup)
 *   starts:<sha256(key)>:<runId>.replaced   marks that run's hold on the key as taken over (once)
 *   queue:<messageId>.json              a queue message until it is acknowledged
 *   slots:<sha256(key)>.json            a concurrency key's slot holders and waiters (slots.ts)
 *   slots:<sha256(key)>.lock            held while a process changes them
 *   slots:<sha256(key)>:<lockId>.broken marks a dead process's lock as broken (once)
 *   schedules:<base64url(id)>.json      a cron schedule (declared or created) and its last tick
 *   bundles:<sha256>.js                 a build's workflow bundle (its id is the SHA-256 of this code)
 *   bundles:<sha256>.json               when that bundle was last stored, and its size
 *   runindex:built.json                 present once the run index holds every run (run-index.ts)
 *   runindex:counts:<wf>.json           a workflow's id and its runs per status (wf: sha256 of the id, 32 hex)
 *   runindex:counts:<wf>.lock           held while a process changes that workflow's entries and counts
 *   runindex:runs:<wf>:<status>:<day>.b            marks a bucket of ~1.2 days (createdAt / 1e8)
 *   runindex:runs:<wf>:<status>:<day>:<slice>.b    marks a bucket of ~17 min within it (createdAt / 1e6)
 *   runindex:runs:<wf>:<status>:<day>:<slice>:<createdAt>~<runId>   one run, createdAt zero-padded
 *   runindex:reruns:<runId>:<createdAt>~<rerunId>  a run that reruns <runId> (listRuns({ rerunOf }))
 *   runindex:reruns.json                present once every rerun has its entry
 *   runindex:moving:<runId>~<pid>       a status change of the run in flight in process pid (status-notes.ts)
 *
 * Every id that becomes a key segment is checked first (checks.ts), so no id can name a path
 * outside the world's directory or collide with another key.
 */
export const LAYOUT_VERSION = 1;
export const LAYOUT_KEY = "world.json";
export const SECRET_KEY = "secret";
export const RUNS_BASE = "runs";
export const HOOKS_BASE = "hooks";
export const QUEUE_BASE = "queue";
export const SCHEDULES_BASE = "schedules";
export const BUNDLES_BASE = "bundles";
export const RUN_COUNTS_BASE = "runindex:counts";
export const RUN_INDEX_BUILT_KEY = "runindex:built.json";
export const RERUNS_BUILT_KEY = "runindex:reruns.json";
export const MOVING_BASE = "runindex:moving";

export const summaryKey = (runId: string) => `runs:${runId}:summary.json`;
export const eventKey = (runId: string, seq: number) => `runs:${runId}:events:${String(seq).padStart(10, "0")}.json`;
export const segmentKey = (runId: string, firstSeq: number) =>
  `runs:${runId}:segments:${String(firstSeq).padStart(10, "0")}.json`;
export const runHooksBase = (runId: string) => `runs:${runId}:hooks`;
export const runHookKey = (runId: string, hookId: string) => `runs:${runId}:hooks:${hookId}.json`;
export const runStreamsBase = (runId: string) => `runs:${runId}:streams`;
export const chunkKey = (runId: string, namespace: string, index: number) =>
  `runs:${runId}:streams:${namespace}:${String(index).padStart(10, "0")}`;
export const streamClosedKey = (runId: string, namespace: string) => `runs:${runId}:streams:${namespace}:closed.json`;
export const hookKey = (tokenHash: string) => `hooks:${tokenHash}.json`;
export const queueKey = (id: string) => `queue:${id}.json`;
export const bundleCodeKey = (id: string) => `bundles:${id}.js`;
export const bundleMetaKey = (id: string) => `bundles:${id}.json`;
export const scheduleKey = (encodedId: string) => `schedules:${encodedId}.json`;
export const startKeyKey = (keyHash: string) => `starts:${keyHash}.json`;
export const slotsKey = (keyHash: string) => `slots:${keyHash}.json`;
export const slotLockKey = (keyHash: string) => `slots:${keyHash}.lock`;
export const slotBrokenKey = (keyHash: string, lockId: string) => `slots:${keyHash}:${lockId}.broken`;
export const runCountsKey = (wf: string) => `runindex:counts:${wf}.json`;
export const runCountsLockKey = (wf: string) => `runindex:counts:${wf}.lock`;
export const runCountsBrokenKey = (wf: string, lockId: string) => `runindex:counts:${wf}:${lockId}.broken`;
export const runScopeBase = (wf: string, status: string) => `runindex:runs:${wf}:${status}`;
export const rerunsBase = (runId: string) => `runindex:reruns:${runId}`;
export const startKeyReplacedKey = (keyHash: string, runId: string) => `starts:${keyHash}:${runId}.replaced`;

/** The run id of a `runs:<runId>:summary.json` key, or null for any other key. */
export function runIdOfSummaryKey(key: string): string | null {
  const parts = key.split(":");
  return parts.length === 3 && parts[0] === RUNS_BASE && parts[2] === "summary.json" ? parts[1]! : null;
}

/** The last segment of a key without its `.json`. */
export function leafId(key: string): string {
  const leaf = key.slice(key.lastIndexOf(":") + 1);
  return leaf.endsWith(".json") ? leaf.slice(0, -5) : leaf;
}
