/** Public surface of the HTTP/1.x analyzer. */
export { createHttpAnalyzer, type HttpAnalyzerOptions } from './analyzer.js';
export { looksLikeHttpRequest, looksLikeHttpResponse } from './detect.js';
