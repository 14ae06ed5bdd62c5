/** Public surface of the HTTP/2 analyzer. */
export { createHttp2Analyzer, type Http2AnalyzerOptions, type Http2Upgrade } from './analyzer.js';
export { looksLikeHttp2Preface } from './detect.js';
