/** The HTTP detectors, for the composition root to register together. */
import type { Detector, FindingSink } from '../types.js';
import { createConnectProxyDetector, parseProxy, type ConnectProxyDetectorOptions } from './connect-proxy.js';
import { createUnknownDownloadHostDetector, type UnknownHostDetectorOptions } from './download-via-unknown-host.js';
import { createHttpPlaintextDetector, type HttpDetectorOptions } from './plaintext-go.js';
import { createHttpRedirectDetector } from './redirect-to-http.js';

export { createConnectProxyDetector, createHttpPlaintextDetector, createHttpRedirectDetector, createUnknownDownloadHostDetector, parseProxy };
export type { ConnectProxyDetectorOptions, HttpDetectorOptions, UnknownHostDetectorOptions };

export function createHttpDetectors(opts: ConnectProxyDetectorOptions & UnknownHostDetectorOptions, sink: FindingSink): Detector[] {
  return [
    createHttpPlaintextDetector(opts, sink),
    createHttpRedirectDetector(opts, sink),
    createUnknownDownloadHostDetector(opts, sink),
    createConnectProxyDetector(opts, sink),
  ];
}
