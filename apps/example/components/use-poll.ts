"use client";
import { useEffect, useRef, useState } from "react";

/** Fetches `url` as JSON every `intervalMs`, until `done(data)` says so; null until the first answer. */
export function usePoll<T>(url: string | null, intervalMs: number, done?: (data: T) => boolean): T | null {
  const [data, setData] = useState<T | null>(null);
  const doneRef = useRef(done);
  doneRef.current = done;
  useEffect(() => {
    setData(null);
    if (!url) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      let finished = false;
      try {
        const response = await fetch(url, { cache: "no-store" });
        if (response.ok && !stopped) {
          const next = (await response.json()) as T;
          setData(next);
          finished = doneRef.current?.(next) ?? false;
        }
      } catch {
        // the next tick tries again
      }
      if (!stopped && !finished) timer = setTimeout(tick, intervalMs);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [url, intervalMs]);
  return data;
}
