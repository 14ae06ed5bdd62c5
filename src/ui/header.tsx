/**
 * The dashboard's top two lines: what is being watched and how far it has got — capture
 * time elapsed, packets, bytes, rate, kernel drops, decode problems — and whether the
 * capture has ended or the display is paused.
 */
import { Box, Text } from 'ink';
import type { CaptureInfo } from '../model/types.js';
import { cell, formatBytes, formatCount, formatDuration, formatRate } from './format.js';
import type { Rates } from './rate-meter.js';

export interface HeaderProps {
  title: string;
  capture: CaptureInfo;
  rates: Rates;
  ended: boolean;
  paused: boolean;
  width: number;
}

export function Header({ title, capture, rates, ended, paused, width }: HeaderProps) {
  const elapsed = capture.firstTs !== null && capture.lastTs !== null ? capture.lastTs - capture.firstTs : 0;
  let problems = 0;
  for (const k in capture.problems) problems += capture.problems[k] ?? 0;
  const markers = `${paused ? ' PAUSED' : ''}${ended ? ' ENDED' : ''}`;
  return (
    <Box flexDirection="column" width={width}>
      <Box width={width}>
        <Box flexShrink={1} flexGrow={1}>
          <Text wrap="truncate-end">
            <Text bold>gotap</Text> {cell(title, width)} · {cell(capture.source, width)}
          </Text>
        </Box>
        {markers !== '' && (
          <Box flexShrink={0}>
            <Text inverse bold color={ended ? 'green' : 'yellow'}>
              {markers}{' '}
            </Text>
          </Box>
        )}
      </Box>
      <Box width={width}>
        <Text wrap="truncate-end">
          elapsed {formatDuration(elapsed)} · packets {formatCount(capture.packets)} · {formatBytes(capture.bytes)} · {formatRate(rates.packetsPerSec, 'pkt')}{' '}
          {formatRate(rates.bytesPerSec, 'bytes')} · drops{' '}
          <Text color={capture.drops ? 'red' : undefined}>{capture.drops === undefined ? '-' : formatCount(capture.drops)}</Text> · problems{' '}
          <Text color={problems > 0 ? 'yellow' : undefined}>{formatCount(problems)}</Text>
          {capture.truncated !== null ? <Text color="yellow"> · truncated</Text> : null}
        </Text>
      </Box>
    </Box>
  );
}
