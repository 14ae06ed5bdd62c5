/**
 * The hosts table: one line per host (role, names, flows, bytes, TLS version, certificate
 * verdict, process), a selectable row, and only as many rows as the height allows. Every
 * cell is a fixed-width box whose text is truncated, so a row never wraps; when the
 * terminal is too narrow the least important columns are dropped rather than squeezed.
 */
import { Box, Text } from 'ink';
import type { HostSummary } from '../model/types.js';
import { SEVERITY_COLOR, cell, certificateLabel, formatBytes, roleShort, tlsLabel } from './format.js';

type ColumnId = 'mark' | 'role' | 'host' | 'flows' | 'bytes' | 'tls' | 'cert' | 'process';

interface Column {
  id: ColumnId;
  title: string;
  width: number;
  right?: boolean;
}

/** Columns in display order; `DROP_ORDER` says which go first when space runs out. */
const COLUMNS: Column[] = [
  { id: 'mark', title: '', width: 1 },
  { id: 'role', title: 'ROLE', width: 10 },
  { id: 'host', title: 'HOST', width: 0 },
  { id: 'flows', title: 'FLOWS', width: 5, right: true },
  { id: 'bytes', title: 'BYTES', width: 9, right: true },
  { id: 'tls', title: 'TLS', width: 7 },
  { id: 'cert', title: 'CERT', width: 14 },
  { id: 'process', title: 'PROCESS', width: 16 },
];
const DROP_ORDER: ColumnId[] = ['process', 'tls', 'flows', 'cert', 'bytes', 'role'];
const MIN_HOST = 16;
const GAP = 1;

/** The visible columns and their widths for a terminal `width` wide (the host column takes the rest). */
export function layoutColumns(width: number): Column[] {
  let cols = COLUMNS.filter((c) => c.id !== 'host');
  const need = (cs: Column[]): number => cs.reduce((s, c) => s + c.width + GAP, 0) + MIN_HOST;
  for (const id of DROP_ORDER) {
    if (need(cols) <= width) break;
    cols = cols.filter((c) => c.id !== id);
  }
  const fixed = cols.reduce((s, c) => s + c.width + GAP, 0);
  const hostWidth = Math.max(4, width - fixed);
  return COLUMNS.filter((c) => c.id === 'host' || cols.includes(c)).map((c) => (c.id === 'host' ? { ...c, width: hostWidth } : c));
}

function cellText(h: HostSummary, id: ColumnId, width: number): { text: string; color?: string } {
  switch (id) {
    case 'mark':
      return h.worst ? { text: h.worst === 'info' ? '·' : '!', color: SEVERITY_COLOR[h.worst] } : { text: ' ' };
    case 'role':
      return { text: roleShort(h.role) };
    case 'host': {
      const others = h.names.filter((n) => n !== h.key);
      const text = cell(h.key, width) + (others.length > 0 ? ` (${others.map((n) => cell(n, width)).join(', ')})` : '');
      return { text: cell(text, width) };
    }
    case 'flows':
      return { text: String(h.flows) };
    case 'bytes':
      return { text: formatBytes(h.bytesUp + h.bytesDown) };
    case 'tls':
      return { text: tlsLabel(h), color: h.http ? 'yellow' : undefined };
    case 'cert': {
      const c = certificateLabel(h);
      return { text: c.text, color: c.color };
    }
    case 'process':
      return { text: h.processes.map((p) => cell(p, width)).join(', ') };
  }
}

function Cell({ col, text, color, inverse }: { col: Column; text: string; color?: string | undefined; inverse?: boolean }) {
  return (
    <Box width={col.width} marginRight={GAP} flexShrink={0} justifyContent={col.right ? 'flex-end' : 'flex-start'}>
      <Text wrap="truncate-end" color={color} inverse={inverse}>
        {text}
      </Text>
    </Box>
  );
}

export interface HostsTableProps {
  hosts: readonly HostSummary[];
  /** Index of the selected row in `hosts`, -1 for none. */
  selected: number;
  /** Whether the table has the keyboard focus (the selection is highlighted only then). */
  focused: boolean;
  /** Table rows available, without the title line. */
  height: number;
  width: number;
}

export function HostsTable({ hosts, selected, focused, height, width }: HostsTableProps) {
  const cols = layoutColumns(width);
  const rows = Math.max(1, height);
  const offset = selected < rows ? 0 : selected - rows + 1;
  const shown = hosts.slice(offset, offset + rows);
  return (
    <Box flexDirection="column" width={width}>
      <Box width={width}>
        {cols.map((c) => (
          <Cell key={c.id} col={c} text={c.id === 'host' && hosts.length > rows ? `HOST (${offset + 1}-${offset + shown.length} of ${hosts.length})` : c.title} color="gray" />
        ))}
      </Box>
      {shown.length === 0 && <Text color="gray">no hosts yet</Text>}
      {shown.map((h, i) => {
        const isSelected = focused && offset + i === selected;
        return (
          <Box key={h.key} width={width}>
            {cols.map((c) => {
              const t = cellText(h, c.id, c.width);
              return <Cell key={c.id} col={c} text={t.text} color={isSelected ? undefined : t.color} inverse={isSelected} />;
            })}
          </Box>
        );
      })}
    </Box>
  );
}
