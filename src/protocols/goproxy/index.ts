/** Public surface of the Go module-protocol decoder. */
export { classifyGoRequest, type GoRequestInfo } from './classify.js';
export { decodeModulePath, decodeVersion, encodeModulePath, encodeVersion } from './escape.js';
export { isCanonicalVersion, isPseudoVersion, isValidModulePath } from './modpath.js';
export { parseTile, type TileCoords } from './tile.js';
