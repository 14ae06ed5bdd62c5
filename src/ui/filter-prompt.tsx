/**
 * The bottom line: the filter being typed (after `/`), or the active filter, sort order
 * and the keys that work in the current view.
 */
import { Box, Text } from 'ink';
import { cell } from './format.js';
import type { SortKey } from './host-list.js';

export interface FilterPromptProps {
  filter: string;
  editing: boolean;
  sort: SortKey;
  view: 'list' | 'detail';
  width: number;
}

export function FilterPrompt({ filter, editing, sort, view, width }: FilterPromptProps) {
  if (editing) {
    return (
      <Box width={width}>
        <Text wrap="truncate-start">
          <Text color="cyan">filter /</Text>
          {cell(filter, width)}
          <Text inverse> </Text>
          <Text color="gray"> (enter keeps it, esc clears it)</Text>
        </Text>
      </Box>
    );
  }
  const keys =
    view === 'detail'
      ? '↑↓ scroll · esc back · p pause · q quit'
      : '↑↓/tab move · enter details · / filter · s sort · p pause · q quit';
  return (
    <Box width={width}>
      <Text wrap="truncate-end" color="gray">
        {filter !== '' ? (
          <Text color="cyan">
            filter "{cell(filter, 40)}" (esc clears) ·{' '}
          </Text>
        ) : null}
        sort {sort} · {keys}
      </Text>
    </Box>
  );
}
