/**
 * The findings panel: one line per finding, most severe first and newest first within a
 * severity (finding-list.ts), with the host and the frames that prove it. Shows as many as
 * the height allows and says how many more there are.
 */
import { Box, Text } from 'ink';
import { SEVERITY_COLOR, SEVERITY_TAG, cell } from './format.js';
import type { IndexedFinding } from './finding-list.js';

export interface FindingsPanelProps {
  /** Already ordered (orderFindings). */
  findings: readonly IndexedFinding[];
  /** Selected line when the panel has the focus, -1 otherwise. */
  selected: number;
  /** Lines available, without the title line. */
  height: number;
  width: number;
  counts: { critical: number; warn: number; info: number };
}

const MAX_FRAMES = 4;

function findingLine({ finding: f }: IndexedFinding, width: number): string {
  const all = [...new Set(f.evidence.map((e) => e.packet))];
  const frames = all.slice(0, MAX_FRAMES);
  const more = all.length > MAX_FRAMES ? '…' : '';
  const where = f.host !== undefined ? ` — ${cell(f.host, 40)}` : '';
  const proof = frames.length > 0 ? ` · frame${frames.length > 1 ? 's' : ''} ${frames.join(', ')}${more}` : '';
  return `${cell(f.title, width)}${where}${proof}`;
}

export function FindingsPanel({ findings, selected, height, width, counts }: FindingsPanelProps) {
  const rows = Math.max(1, height);
  const offset = selected < rows ? 0 : selected - rows + 1;
  const shown = findings.slice(offset, offset + rows);
  const hidden = findings.length - shown.length;
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end" color="gray">
        FINDINGS <Text color="red">{counts.critical} critical</Text> · <Text color="yellow">{counts.warn} warn</Text> ·{' '}
        <Text color="cyan">{counts.info} info</Text>
        {hidden > 0 ? ` · ${hidden} not shown (tab, then arrows)` : ''}
      </Text>
      {shown.length === 0 && <Text color="gray">none</Text>}
      {shown.map((item, i) => {
        const sev = item.finding.severity;
        const isSelected = offset + i === selected;
        return (
          <Box key={item.index} width={width}>
            <Box width={5} flexShrink={0}>
              <Text color={SEVERITY_COLOR[sev]} bold>
                {SEVERITY_TAG[sev]}
              </Text>
            </Box>
            <Box flexGrow={1} flexShrink={1}>
              <Text wrap="truncate-end" inverse={isSelected}>
                {findingLine(item, width)}
              </Text>
            </Box>
          </Box>
        );
      })}
    </Box>
  );
}
