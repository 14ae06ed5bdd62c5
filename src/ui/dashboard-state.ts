/**
 * What the dashboard's keys do, as a pure reducer: (state, key, what is on screen) → state.
 * Keeping it out of the components makes every key testable without a terminal, and keeps
 * the one useInput handler in Dashboard trivial.
 */
import { nextSort, type SortKey } from './host-list.js';

export type Pane = 'hosts' | 'findings';

export interface DashboardState {
  view: 'list' | 'detail';
  focus: Pane;
  /** The selected host, by key, so the selection follows the host when rows re-sort. */
  selectedKey: string | undefined;
  findingIndex: number;
  sort: SortKey;
  filter: string;
  editingFilter: boolean;
  paused: boolean;
  detailScroll: number;
  /** The host shown in the detail view. */
  detailKey: string | undefined;
  quit: boolean;
}

export const initialState: DashboardState = {
  view: 'list',
  focus: 'hosts',
  selectedKey: undefined,
  findingIndex: 0,
  sort: 'bytes',
  filter: '',
  editingFilter: false,
  paused: false,
  detailScroll: 0,
  detailKey: undefined,
  quit: false,
};

/** The subset of ink's Key the dashboard uses. */
export interface KeyInfo {
  upArrow?: boolean;
  downArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  tab?: boolean;
  shift?: boolean;
  return?: boolean;
  escape?: boolean;
  backspace?: boolean;
  delete?: boolean;
  ctrl?: boolean;
  meta?: boolean;
}

/** What is on screen when the key arrives. */
export interface ScreenContext {
  /** Keys of the hosts in table order (filtered and sorted). */
  hostKeys: readonly string[];
  /** Host key of each finding in panel order (undefined when a finding has no host). */
  findingHosts: readonly (string | undefined)[];
  /** Rows a page key moves. */
  page: number;
  /** Lines of the detail view beyond the screen (scroll limit). */
  detailOverflow: number;
}

export function selectedIndex(state: DashboardState, hostKeys: readonly string[]): number {
  if (hostKeys.length === 0) return -1;
  const i = state.selectedKey === undefined ? -1 : hostKeys.indexOf(state.selectedKey);
  return i < 0 ? 0 : i;
}

const clamp = (n: number, lo: number, hi: number): number => Math.max(lo, Math.min(hi, n));

export function reduceKey(state: DashboardState, input: string, key: KeyInfo, screen: ScreenContext): DashboardState {
  if (state.editingFilter) return editFilter(state, input, key);
  if (input === 'q' && !key.ctrl && !key.meta) return { ...state, quit: true };
  if (input === 'p' && !key.ctrl) return { ...state, paused: !state.paused };
  if (state.view === 'detail') return detailKey(state, input, key, screen);

  if (input === '/') return { ...state, editingFilter: true };
  if (input === 's') return { ...state, sort: nextSort(state.sort) };
  if (key.tab) return { ...state, focus: state.focus === 'hosts' ? 'findings' : 'hosts' };
  if (key.escape && state.filter !== '') return { ...state, filter: '' };
  const step = key.upArrow ? -1 : key.downArrow ? 1 : key.pageUp ? -screen.page : key.pageDown ? screen.page : 0;
  if (state.focus === 'hosts') {
    if (step !== 0 && screen.hostKeys.length > 0) {
      const i = clamp(selectedIndex(state, screen.hostKeys) + step, 0, screen.hostKeys.length - 1);
      return { ...state, selectedKey: screen.hostKeys[i] };
    }
    if (key.return && screen.hostKeys.length > 0) {
      const k = screen.hostKeys[selectedIndex(state, screen.hostKeys)];
      return { ...state, selectedKey: k, view: 'detail', detailKey: k, detailScroll: 0 };
    }
    return state;
  }
  const n = screen.findingHosts.length;
  if (step !== 0 && n > 0) return { ...state, findingIndex: clamp(state.findingIndex + step, 0, n - 1) };
  if (key.return && n > 0) {
    const host = screen.findingHosts[clamp(state.findingIndex, 0, n - 1)];
    if (host !== undefined) return { ...state, view: 'detail', detailKey: host, detailScroll: 0 };
  }
  return state;
}

function detailKey(state: DashboardState, _input: string, key: KeyInfo, screen: ScreenContext): DashboardState {
  if (key.escape || key.backspace || key.delete) return { ...state, view: 'list', detailKey: undefined, detailScroll: 0 };
  const step = key.upArrow ? -1 : key.downArrow ? 1 : key.pageUp ? -screen.page : key.pageDown ? screen.page : 0;
  if (step !== 0) return { ...state, detailScroll: clamp(state.detailScroll + step, 0, Math.max(0, screen.detailOverflow)) };
  return state;
}

const MAX_FILTER = 80;

function editFilter(state: DashboardState, input: string, key: KeyInfo): DashboardState {
  if (key.return) return { ...state, editingFilter: false };
  if (key.escape) return { ...state, editingFilter: false, filter: '' };
  if (key.backspace || key.delete) return { ...state, filter: [...state.filter].slice(0, -1).join('') };
  if (key.ctrl || key.meta || key.upArrow || key.downArrow || key.tab) return state;
  // Typed text only: the filter is shown on screen, so control characters never enter it.
  // eslint-disable-next-line no-control-regex
  const typed = input.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
  if (typed === '') return state;
  return { ...state, filter: [...(state.filter + typed)].slice(0, MAX_FILTER).join('') };
}
