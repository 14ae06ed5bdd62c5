/**
 * Validity of Go module paths and versions, following golang.org/x/mod/module
 * CheckPath and golang.org/x/mod/semver. Used to tell a proxy path prefix from the
 * module path that follows it, and to refuse paths that are not Go requests.
 */

const BAD_WINDOWS_NAMES = new Set(['con', 'prn', 'aux', 'nul', 'com1', 'com2', 'com3', 'com4', 'com5', 'com6', 'com7', 'com8', 'com9', 'lpt1', 'lpt2', 'lpt3', 'lpt4', 'lpt5', 'lpt6', 'lpt7', 'lpt8', 'lpt9']);

/** Letters, digits, '-', '.', '_', '~' (module.modulePathOK). */
const ELEMENT_CHARS = /^[A-Za-z0-9._~-]+$/;
/** Lower-case letters, digits, '-', '.' (module.firstPathOK). */
const FIRST_ELEMENT_CHARS = /^[a-z0-9.-]+$/;

function checkElement(elem: string): boolean {
  if (!ELEMENT_CHARS.test(elem)) return false;
  if (/^\.+$/.test(elem)) return false;
  if (elem.startsWith('.') || elem.endsWith('.')) return false;
  const dot = elem.indexOf('.');
  const short = dot >= 0 ? elem.slice(0, dot) : elem;
  if (BAD_WINDOWS_NAMES.has(short.toLowerCase())) return false;
  // Windows short names like "FOO~1".
  const tilde = short.lastIndexOf('~');
  if (tilde >= 0 && tilde < short.length - 1 && /^[0-9]+$/.test(short.slice(tilde + 1))) return false;
  return true;
}

/** module.SplitPathVersion's check of a trailing major-version suffix ("/v2", never "/v0", "/v1", "/v02"). */
function majorSuffixOk(path: string): boolean {
  if (path.startsWith('gopkg.in/')) return true;
  let i = path.length;
  let dot = false;
  while (i > 0) {
    const c = path.charCodeAt(i - 1);
    if (c === 0x2e) dot = true;
    else if (c < 0x30 || c > 0x39) break;
    i--;
  }
  if (i <= 1 || i === path.length || path[i - 1] !== 'v' || path[i - 2] !== '/') return true;
  const major = path.slice(i - 2);
  return !(dot || major.length <= 2 || major[2] === '0' || major === '/v1');
}

/** module.CheckPath: a path the go command would fetch from a proxy (first element has a dot). */
export function isValidModulePath(path: string): boolean {
  if (path === '' || path.startsWith('-')) return false;
  const elems = path.split('/');
  if (!elems.every(checkElement)) return false;
  const first = elems[0]!;
  return first.includes('.') && FIRST_ELEMENT_CHARS.test(first) && majorSuffixOk(path);
}

/** Prerelease identifiers: alphanumerics and '-', numeric ones without leading zeros. */
function validPrerelease(pre: string): boolean {
  for (const id of pre.split('.')) {
    if (!/^[0-9A-Za-z-]+$/.test(id)) return false;
    if (/^[0-9]+$/.test(id) && id.length > 1 && id.startsWith('0')) return false;
  }
  return true;
}

const SEMVER = /^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-([^+]+))?(\+incompatible)?$/;

/**
 * A canonical module version: vMAJOR.MINOR.PATCH, optional prerelease (which
 * covers pseudo-versions like v0.0.0-20191109021931-daa7c04131f5), and only
 * "+incompatible" as build metadata (allowed from v2 on).
 */
export function isCanonicalVersion(v: string): boolean {
  const m = SEMVER.exec(v);
  if (m === null) return false;
  if (m[4] !== undefined && !validPrerelease(m[4])) return false;
  if (m[5] !== undefined && Number(m[1]) < 2) return false;
  return true;
}

/** Pseudo-version forms: vX.0.0-yyyymmddhhmmss-abcdefabcdef, vX.Y.Z-pre.0.yyyymmddhhmmss-…, vX.Y.(Z+1)-0.yyyymmddhhmmss-…. */
export function isPseudoVersion(v: string): boolean {
  return isCanonicalVersion(v) && /[-.](?:0\.)?[0-9]{14}-[0-9a-f]{12}(?:\+incompatible)?$/.test(v);
}

/**
 * What may stand in `@v/<v>.info`: a canonical version or a query the proxy
 * resolves ("master", "v1.2"): one path element of version characters.
 */
export function isVersionQuery(v: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._+~-]*$/.test(v) && !v.endsWith('.');
}
