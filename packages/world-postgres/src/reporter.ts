/**
 * Reports background failures once per outage: the first failure of a kind is reported, the
 * rest are counted until the same kind succeeds again, which is reported too.
 */
export class Reporter {
  readonly #onError: (error: unknown, where: string) => void;
  readonly #failing = new Map<string, number>();

  constructor(onError: ((error: unknown, where: string) => void) | undefined) {
    this.#onError =
      onError ??
      ((error, where) =>
        console.warn(`[hookline] postgres world, ${where}: ${error instanceof Error ? error.message : String(error)}`));
  }

  report(error: unknown, where: string): void {
    const kind = where.replace(/ \(.*\)$/, "");
    const count = this.#failing.get(kind) ?? 0;
    this.#failing.set(kind, count + 1);
    if (count === 0) this.#onError(error, where);
  }

  recovered(where: string): void {
    const count = this.#failing.get(where);
    if (count === undefined) return;
    this.#failing.delete(where);
    if (count > 1 || where === "LISTEN connection") {
      this.#onError(new Error(`recovered after ${count} failure${count === 1 ? "" : "s"}`), where);
    }
  }
}
