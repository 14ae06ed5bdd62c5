/**
 * The terminal's size, updated when it is resized, and whether a resize is settling.
 *
 * Why `settling`: a resized terminal reflows or scrolls what was drawn, so ink's record of
 * the lines on screen goes stale and its next incremental frame leaves debris. Ink redraws
 * from a cleared screen when the previous frame was as tall as the terminal; so while a
 * resize settles the dashboard fills the whole height, and the first normal frame after it
 * is drawn afresh.
 */
import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

export interface TerminalSize {
  columns: number;
  rows: number;
  settling: boolean;
}

const SETTLE_MS = 150;

const read = (s: NodeJS.WriteStream, settling: boolean): TerminalSize => ({ columns: s.columns || 80, rows: s.rows || 24, settling });

export function useTerminalSize(): TerminalSize {
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => read(stdout, false));
  useEffect(() => {
    let timer: NodeJS.Timeout | undefined;
    const onResize = (): void => {
      setSize(read(stdout, true));
      clearTimeout(timer);
      timer = setTimeout(() => setSize(read(stdout, false)), SETTLE_MS);
    };
    stdout.on('resize', onResize);
    return () => {
      clearTimeout(timer);
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}
