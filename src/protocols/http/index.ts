/** Public surface of the HTTP/1.x analyzer. */
export { createHttpAnalyzer } from './analyzer.js';
export { looksLikeHttpRequest, looksLikeHttpResponse } from './detect.js';
