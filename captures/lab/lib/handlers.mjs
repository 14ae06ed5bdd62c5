// What each lab host answers: a GOPROXY-protocol module proxy (optionally
// proxying the checksum database, optionally with misbehaviours a scenario
// asks for), the checksum database itself, and a private VCS-less host that
// serves a go-import "mod" meta tag so direct mode works without git.
import { serveModulePath } from './modtree.mjs';

const notFound = { status: 404, body: 'not found\n' };

/**
 * @param {{tree: Map<string, object>, sumdb: {name: string, serve: (p: string) => object},
 *   sumdbSupported: boolean, missing?: (modulePath: string) => boolean,
 *   redirect?: (path: string) => string|undefined}} opts
 *   missing: module paths (escaped) this mirror answers 404 for;
 *   redirect: returns a Location for requests that must be redirected
 */
export function goproxyHandler({ tree, sumdb, sumdbSupported, missing = () => false, redirect = () => undefined }) {
  const sumdbPrefix = `/sumdb/${sumdb.name}/`;
  return ({ path }) => {
    if (path.startsWith(sumdbPrefix)) {
      if (!sumdbSupported) return notFound;
      const rest = path.slice(sumdbPrefix.length);
      return rest === 'supported' ? { status: 200, body: '' } : sumdb.serve(rest);
    }
    const location = redirect(path);
    if (location) return { status: 302, headers: { location }, body: '' };
    const modulePath = path.slice(1).split('/@')[0];
    if (missing(modulePath)) return { status: 404, body: `not found: module ${modulePath}: no matching versions\n` };
    return serveModulePath(tree, path.slice(1), { allowPrivate: false });
  };
}

/** The checksum database at its own host (sum.golang.org). */
export function sumdbHandler(sumdb) {
  return ({ path }) => sumdb.serve(path.slice(1));
}

/**
 * A company host for `example.test/private`: `?go-get=1` answers a go-import
 * meta tag of type "mod" pointing at its own /modproxy, which serves the
 * private module with the GOPROXY protocol.
 */
export function privateHostHandler({ tree, host, privatePath }) {
  return ({ path, query }) => {
    if (query === 'go-get=1' && (host + path === privatePath || (host + path).startsWith(privatePath + '/'))) {
      return {
        status: 200,
        type: 'text/html; charset=utf-8',
        body: `<!DOCTYPE html>\n<html><head><meta name="go-import" content="${privatePath} mod https://${host}/modproxy"></head><body></body></html>\n`,
      };
    }
    if (path.startsWith('/modproxy/')) return serveModulePath(tree, path.slice('/modproxy/'.length), { allowPrivate: true });
    return notFound;
  };
}
