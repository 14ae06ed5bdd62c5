/**
 * The dashboard: header, hosts table and findings panel (or one host's detail view), and
 * the key line. It owns the layout — how many lines each pane gets at the current terminal
 * size, so the frame never exceeds the screen and ink never scrolls — and the one key
 * handler, which delegates to the pure reducer in dashboard-state.ts.
 */
import { Box, useApp, useInput } from 'ink';
import { useEffect, useMemo, useRef, useState } from 'react';
import { initialState, reduceKey, selectedIndex, type DashboardState, type ScreenContext } from './dashboard-state.js';
import { FilterPrompt } from './filter-prompt.js';
import { orderFindings } from './finding-list.js';
import { FindingsPanel } from './findings-panel.js';
import { Header } from './header.js';
import { HostDetail, detailLines } from './host-detail.js';
import { visibleHosts } from './host-list.js';
import { HostsTable } from './hosts-table.js';
import { RateMeter } from './rate-meter.js';
import { useSnapshot, type SnapshotSource } from './use-snapshot.js';
import { useTerminalSize } from './use-terminal-size.js';

export interface DashboardProps {
  source: SnapshotSource;
  title: string;
  /** Snapshot poll interval (default 100 ms: at most ~10 renders a second). */
  intervalMs?: number;
  /** Called when the user quits (q); Ctrl-C is handled by ink. */
  onQuit?: () => void;
}

const HEADER_LINES = 2;
const FOOTER_LINES = 1;

/** Lines for the findings panel (title included) and for host rows, given the lines left for both. */
function planPanes(available: number, findings: number): { findings: number; hostRows: number } {
  const want = Math.max(1, Math.min(findings, Math.max(3, Math.floor(available * 0.3))));
  const findingLines = Math.min(want + 1, Math.max(2, available - 3));
  return { findings: findingLines - 1, hostRows: Math.max(1, available - findingLines - 1) };
}

export function Dashboard({ source, title, intervalMs = 100, onQuit }: DashboardProps) {
  const { exit } = useApp();
  const { columns, rows, settling } = useTerminalSize();
  const [state, setState] = useState<DashboardState>(initialState);
  const { snapshot, ended: sourceEnded } = useSnapshot(source, intervalMs, state.paused);
  const meter = useRef(new RateMeter());
  const rates = useMemo(() => meter.current.update(snapshot.capture), [snapshot]);

  // One line short of the screen: writing the last line would scroll the terminal.
  const width = Math.max(20, columns);
  const available = Math.max(3, rows - 1 - HEADER_LINES - FOOTER_LINES);
  const hosts = useMemo(() => visibleHosts(snapshot.hosts, state.filter, state.sort), [snapshot, state.filter, state.sort]);
  const findings = useMemo(() => orderFindings(snapshot.findings), [snapshot]);
  const plan = planPanes(available, findings.length);
  const detailHost = state.view === 'detail' ? snapshot.hosts.find((h) => h.key === state.detailKey) : undefined;
  const lines = useMemo(() => (detailHost ? detailLines(detailHost, snapshot.findings, width) : []), [detailHost, snapshot, width]);

  const screen: ScreenContext = {
    hostKeys: hosts.map((h) => h.key),
    findingHosts: findings.map((f) => f.finding.host),
    page: Math.max(1, state.view === 'detail' ? available - 1 : plan.hostRows - 1),
    detailOverflow: lines.length - available,
  };
  const screenRef = useRef(screen);
  screenRef.current = screen;

  useInput((input, key) => setState((s) => reduceKey(s, input, key, screenRef.current)));

  useEffect(() => {
    if (!state.quit) return;
    onQuit?.();
    exit();
  }, [state.quit, exit, onQuit]);

  const ended = sourceEnded || snapshot.capture.ended;
  const selected = selectedIndex(state, screen.hostKeys);
  return (
    <Box flexDirection="column" width={width} {...(settling ? { height: rows } : {})}>
      <Header title={title} capture={snapshot.capture} rates={rates} ended={ended} paused={state.paused} width={width} />
      {state.view === 'detail' ? (
        detailHost ? (
          <HostDetail lines={lines} scroll={Math.min(state.detailScroll, Math.max(0, lines.length - available))} height={available} width={width} />
        ) : (
          <HostDetail lines={[{ text: 'this host is no longer in the model (esc to go back)', color: 'gray' }]} scroll={0} height={available} width={width} />
        )
      ) : (
        <>
          <HostsTable hosts={hosts} selected={selected} focused={state.focus === 'hosts'} height={plan.hostRows} width={width} />
          <FindingsPanel
            findings={findings}
            selected={state.focus === 'findings' ? Math.min(state.findingIndex, findings.length - 1) : -1}
            height={plan.findings}
            width={width}
            counts={snapshot.counts.findingsBySeverity}
          />
        </>
      )}
      <FilterPrompt filter={state.filter} editing={state.editingFilter} sort={state.sort} view={state.view} width={width} />
    </Box>
  );
}
