/**
 * Parses checksum-database tile paths (golang.org/x/mod/sumdb/tlog ParseTilePath):
 * tile/<H>/<L>/<NNN…>[.p/<W>], the index written in 3-digit groups with an "x"
 * prefix on all but the last ("x001/x234/067" = 1234067), level "data" for the
 * record tiles, ".p/<W>" for a partial tile of width W (1 ≤ W < 2^H).
 */

export interface TileCoords {
  height: number;
  level: number | 'data';
  index: number;
  width?: number;
}

const SMALL_INT = /^(0|[1-9][0-9]{0,8})$/;

/** `elems` are the path elements after "tile". */
export function parseTile(elems: string[]): TileCoords | undefined {
  if (elems.length < 3) return undefined;
  const [h, l] = elems;
  if (!SMALL_INT.test(h!)) return undefined;
  const height = Number(h);
  if (height < 1 || height > 30) return undefined;
  let level: number | 'data';
  if (l === 'data') level = 'data';
  else if (SMALL_INT.test(l!)) level = Number(l);
  else return undefined;
  const groups = elems.slice(2);
  let width: number | undefined;
  const dotP = groups[groups.length - 2];
  if (dotP !== undefined && dotP.endsWith('.p')) {
    const w = groups.pop()!;
    if (!SMALL_INT.test(w)) return undefined;
    width = Number(w);
    if (width < 1 || width >= 2 ** height) return undefined;
    groups[groups.length - 1] = dotP.slice(0, -2);
  }
  let index = 0;
  for (let k = 0; k < groups.length; k++) {
    const g = groups[k]!;
    const last = k === groups.length - 1;
    const digits = last ? g : g.startsWith('x') ? g.slice(1) : '';
    if (!/^[0-9]{3}$/.test(digits)) return undefined;
    index = index * 1000 + Number(digits);
    if (index > Number.MAX_SAFE_INTEGER) return undefined;
  }
  return width === undefined ? { height, level, index } : { height, level, index, width };
}
