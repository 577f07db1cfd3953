/**
 * The PostgreSQL world's streams: chunks in their own table (never in the event log), indexes
 * taken under the stream row's lock (stream-statements.ts). After a write or close commits,
 * this instance's subscribers are told at once and other instances through NOTIFY on the
 * `<schema>.stream` channel, batched like appends' notifications.
 */
import {
  type StreamChunk,
  StreamClosedError,
  type StreamInfo,
  type StreamListener,
  type WorldStreams,
  worldChecks,
} from "@hookline/core/world";
import type pg from "pg";
import type { StreamStatements } from "./stream-statements.js";

const { checkRunId, checkNamespace, checkChunks, checkRead } = worldChecks("PostgreSQL world");

export interface StreamPorts {
  statements(): StreamStatements;
  query<R extends pg.QueryResultRow>(what: string, config: pg.QueryConfig): Promise<pg.QueryResult<R>>;
  /** Tells this instance's subscribers and, through NOTIFY, the other instances'. */
  changed(runId: string, namespace: string): void;
  subscribe(listener: StreamListener): () => void;
}

/** A stream notification's run and namespace (payload `namespace:runId`; a namespace holds no ":"). */
export function parseStreamPayload(payload: string): { runId: string; namespace: string } | null {
  const at = payload.indexOf(":");
  return at > 0 && at < payload.length - 1 ? { namespace: payload.slice(0, at), runId: payload.slice(at + 1) } : null;
}

export class PostgresStreams implements WorldStreams {
  readonly #ports: StreamPorts;

  constructor(ports: StreamPorts) {
    this.#ports = ports;
  }

  async write(runId: string, namespace: string, chunks: string[]): Promise<number> {
    const where = `streams.write(${runId})`;
    checkRunId(runId, where);
    checkNamespace(namespace, where);
    checkChunks(chunks, where);
    const result = await this.#ports.query<{ first: number }>(`writing to stream "${namespace}" of run ${runId}`, {
      ...this.#ports.statements().write,
      values: [runId, namespace, chunks.map((chunk) => Buffer.from(chunk, "utf8"))],
    });
    const row = result.rows[0];
    if (!row)
      throw new StreamClosedError(
        `Run ${runId}: the stream "${namespace}" is closed, so nothing more can be written to it.`,
      );
    this.#ports.changed(runId, namespace);
    return row.first;
  }

  async read(runId: string, namespace: string, startIndex: number, limit?: number): Promise<StreamChunk[]> {
    const where = `streams.read(${runId})`;
    checkRunId(runId, where);
    checkNamespace(namespace, where);
    const checked = checkRead(startIndex, limit, where);
    const result = await this.#ports.query<{ idx: number; data: Buffer }>(
      `reading stream "${namespace}" of run ${runId}`,
      {
        ...this.#ports.statements().read,
        values: [runId, namespace, checked.startIndex, checked.limit],
      },
    );
    return result.rows.map((row) => ({ index: row.idx, data: row.data.toString("utf8") }));
  }

  async info(runId: string, namespace: string): Promise<StreamInfo> {
    const where = `streams.info(${runId})`;
    checkRunId(runId, where);
    checkNamespace(namespace, where);
    const result = await this.#ports.query<{ next_index: number; closed: boolean }>(
      `reading stream "${namespace}" of run ${runId}`,
      {
        ...this.#ports.statements().info,
        values: [runId, namespace],
      },
    );
    const row = result.rows[0];
    return row ? { tailIndex: row.next_index - 1, done: row.closed } : { tailIndex: -1, done: false };
  }

  async close(runId: string, namespace: string): Promise<void> {
    const where = `streams.close(${runId})`;
    checkRunId(runId, where);
    checkNamespace(namespace, where);
    await this.#ports.query(`closing stream "${namespace}" of run ${runId}`, {
      ...this.#ports.statements().close,
      values: [runId, namespace],
    });
    this.#ports.changed(runId, namespace);
  }

  async list(runId: string): Promise<string[]> {
    checkRunId(runId, "streams.list");
    const result = await this.#ports.query<{ namespace: string }>(`listing streams of run ${runId}`, {
      ...this.#ports.statements().list,
      values: [runId],
    });
    return result.rows.map((row) => row.namespace);
  }

  subscribe(listener: StreamListener): () => void {
    return this.#ports.subscribe(listener);
  }
}
