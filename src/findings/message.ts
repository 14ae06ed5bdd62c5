/**
 * Structured finding texts. Detectors write them with the `msg` tagged template: the
 * template's static text is gotap's own wording, where backticks mark code spans (flags,
 * commands, settings, issuer names); every interpolated value stays a separate segment
 * (never parsed), inside a code span when the backticks enclose it. Renderers decide:
 * `plainText` keeps backticks (JSON, terminal), Markdown makes real code spans, HTML
 * would make <code>. Nothing here escapes: escaping belongs to each renderer.
 */

export interface Segment {
  readonly text: string;
  /** Inside a code span. */
  readonly code?: true;
  /** Came from data (packets, settings), not from gotap's wording. */
  readonly value?: true;
}

export type Message = readonly Segment[];

function isMessage(v: unknown): v is Message {
  return Array.isArray(v) && (v.length === 0 || typeof v[0] === 'object');
}

function push(out: Segment[], seg: Segment): void {
  if (seg.text === '') return;
  const last = out[out.length - 1];
  if (last && last.code === seg.code && last.value === seg.value) out[out.length - 1] = { ...last, text: last.text + seg.text };
  else out.push(seg);
}

function segment(text: string, code: boolean, value: boolean): Segment {
  return { text, ...(code ? { code: true as const } : {}), ...(value ? { value: true as const } : {}) };
}

/** Each template's static text, split at its backticks once (keyed by the call site's strings array). */
const staticParts = new WeakMap<TemplateStringsArray, { parts: Segment[]; codeAfter: boolean }[]>();

function parseStatics(strings: TemplateStringsArray): { parts: Segment[]; codeAfter: boolean }[] {
  let parsed = staticParts.get(strings);
  if (parsed) return parsed;
  let code = false;
  parsed = strings.map((s) => {
    const parts: Segment[] = [];
    s.split('`').forEach((part, j) => {
      if (j > 0) code = !code;
      if (part !== '') parts.push(segment(part, code, false));
    });
    return { parts, codeAfter: code };
  });
  staticParts.set(strings, parsed);
  return parsed;
}

/**
 * msg`TLS to ${host} is re-signed with \`${issuer}\`` — values may be strings, numbers or
 * other messages (spliced; inside a code span their segments become code).
 */
export function msg(strings: TemplateStringsArray, ...values: unknown[]): Message {
  const statics = parseStatics(strings);
  const out: Segment[] = [];
  statics.forEach(({ parts, codeAfter }, i) => {
    for (const p of parts) push(out, p);
    if (i >= values.length) return;
    const v = values[i];
    if (isMessage(v)) for (const seg of v) push(out, seg.code || !codeAfter ? seg : segment(seg.text, true, seg.value === true));
    else push(out, segment(String(v), codeAfter, true));
  });
  return Object.freeze(out);
}

/** A message of one plain data value. */
export function valueText(v: string): Message {
  return msg`${v}`;
}

/** Joins messages with a static separator. */
export function joinMessages(parts: readonly Message[], sep: string): Message {
  const out: Segment[] = [];
  parts.forEach((p, i) => {
    if (i > 0) push(out, segment(sep, false, false));
    for (const seg of p) push(out, seg);
  });
  return Object.freeze(out);
}

/** The plain rendering: text as is, code spans in backticks. */
export function plainText(m: Message): string {
  let s = '';
  let inCode = false;
  for (const seg of m) {
    const code = seg.code === true;
    if (code !== inCode) {
      s += '`';
      inCode = code;
    }
    s += seg.text;
  }
  return inCode ? `${s}\`` : s;
}

/** Groups consecutive segments into runs of code and prose, for renderers. */
export function runs(m: Message): { code: boolean; text: string }[] {
  const out: { code: boolean; text: string }[] = [];
  for (const seg of m) {
    const code = seg.code === true;
    const last = out[out.length - 1];
    if (last && last.code === code) last.text += seg.text;
    else out.push({ code, text: seg.text });
  }
  return out;
}
