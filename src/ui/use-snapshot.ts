/**
 * Pulls the model's snapshot on a timer (100 ms by default) instead of reacting to events,
 * so the dashboard renders at most ~10 times a second whatever the packet rate, and not at
 * all while nothing changes (change-token.ts says how a change is detected) or while paused
 * (the pipeline keeps running; the display is frozen).
 */
import { useEffect, useRef, useState } from 'react';
import type { ModelSnapshot } from '../model/types.js';
import { snapshotToken } from './change-token.js';

export interface SnapshotSource {
  snapshot(): ModelSnapshot;
  /** The input has ended (replay finished, live capture stopped). */
  ended(): boolean;
}

export interface Shown {
  snapshot: ModelSnapshot;
  ended: boolean;
}

export function useSnapshot(source: SnapshotSource, intervalMs: number, paused: boolean): Shown {
  const [shown, setShown] = useState<Shown>(() => ({ snapshot: source.snapshot(), ended: source.ended() }));
  const last = useRef<{ snapshot: ModelSnapshot; token: string; ended: boolean } | undefined>(undefined);
  last.current ??= { snapshot: shown.snapshot, token: snapshotToken(shown.snapshot), ended: shown.ended };
  useEffect(() => {
    if (paused) return undefined;
    const poll = (): void => {
      const snapshot = source.snapshot();
      const ended = source.ended();
      const prev = last.current!;
      if (snapshot === prev.snapshot && ended === prev.ended) return;
      const token = snapshotToken(snapshot);
      if (token === prev.token && ended === prev.ended) {
        prev.snapshot = snapshot;
        return;
      }
      last.current = { snapshot, token, ended };
      setShown({ snapshot, ended });
    };
    poll();
    const timer = setInterval(poll, intervalMs);
    return () => clearInterval(timer);
  }, [source, intervalMs, paused]);
  return shown;
}
