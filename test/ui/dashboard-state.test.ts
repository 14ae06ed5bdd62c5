import { describe, expect, test } from 'vitest';
import { initialState, reduceKey, selectedIndex, type DashboardState, type ScreenContext } from '../../src/ui/dashboard-state.js';

const screen: ScreenContext = { hostKeys: ['a', 'b', 'c'], findingHosts: ['c', undefined], page: 2, detailOverflow: 5 };
const keys = (s: DashboardState, ...seq: [string, object?][]): DashboardState => seq.reduce((st, [input, key]) => reduceKey(st, input, key ?? {}, screen), s);

describe('dashboard keys', () => {
  test('arrows move the selection by host key and stop at the ends; page keys jump', () => {
    let s = keys(initialState, ['', { downArrow: true }], ['', { downArrow: true }], ['', { downArrow: true }]);
    expect(s.selectedKey).toBe('c');
    s = keys(s, ['', { pageUp: true }]);
    expect(s.selectedKey).toBe('a');
    // the selection follows the host when the rows re-sort
    expect(selectedIndex({ ...s, selectedKey: 'b' }, ['b', 'a'])).toBe(0);
    expect(selectedIndex({ ...s, selectedKey: 'gone' }, ['b', 'a'])).toBe(0);
  });

  test('enter opens details, arrows scroll within bounds, esc goes back', () => {
    let s = keys(initialState, ['', { downArrow: true }], ['', { return: true }]);
    expect(s).toMatchObject({ view: 'detail', detailKey: 'b' });
    s = keys(s, ['', { pageDown: true }], ['', { pageDown: true }], ['', { pageDown: true }], ['s']);
    expect(s.detailScroll).toBe(5);
    expect(s.sort).toBe('bytes');
    s = keys(s, ['', { escape: true }]);
    expect(s).toMatchObject({ view: 'list', detailScroll: 0 });
  });

  test('tab switches to findings; enter opens the finding host, or nothing when it has none', () => {
    let s = keys(initialState, ['', { tab: true }], ['', { return: true }]);
    expect(s).toMatchObject({ view: 'detail', detailKey: 'c' });
    s = keys(initialState, ['', { tab: true }], ['', { downArrow: true }], ['', { downArrow: true }], ['', { return: true }]);
    expect(s).toMatchObject({ view: 'list', findingIndex: 1 });
  });

  test('filter editing takes typed text only, q included; control characters never enter', () => {
    let s = keys(initialState, ['/'], ['q'], ['\u001b[2J'], ['\u0007x'], ['', { backspace: true }], ['y']);
    expect(s).toMatchObject({ editingFilter: true, filter: 'q[2Jy', quit: false });
    s = keys(s, ['', { return: true }]);
    expect(s).toMatchObject({ editingFilter: false, filter: 'q[2Jy' });
    s = keys(s, ['', { escape: true }]);
    expect(s.filter).toBe('');
    s = keys(s, ['/'], ['z'.repeat(500)]);
    expect(s.filter).toHaveLength(80);
  });

  test('p toggles pause in any view; q quits', () => {
    expect(keys(initialState, ['p']).paused).toBe(true);
    expect(keys(initialState, ['p'], ['p']).paused).toBe(false);
    expect(keys(initialState, ['', { return: true }], ['p']).paused).toBe(true);
    expect(keys(initialState, ['q']).quit).toBe(true);
    expect(keys(initialState, ['s'], ['s']).sort).toBe('first seen');
  });
});
