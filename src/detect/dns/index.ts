/** The DNS detectors, for the composition root to register together. */
import type { Detector, FindingSink } from '../types.js';
import { createDnsAnswerAddressDetector, type DnsDetectorOptions } from './answer-addresses.js';
import { createDnsConflictDetector } from './conflicting-responses.js';
import { createDnsErrorDetector } from './error-for-go-host.js';
import { createDnsResolverDisagreementDetector } from './resolver-disagreement.js';

export { createDnsAnswerAddressDetector, createDnsConflictDetector, createDnsErrorDetector, createDnsResolverDisagreementDetector };
export type { DnsDetectorOptions };

export function createDnsDetectors(opts: DnsDetectorOptions, sink: FindingSink): Detector[] {
  return [
    createDnsAnswerAddressDetector(opts, sink),
    createDnsConflictDetector(opts, sink),
    createDnsErrorDetector(opts, sink),
    createDnsResolverDisagreementDetector(opts, sink),
  ];
}
