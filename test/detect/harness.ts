/**
 * Runs detectors the way the pipeline does — each event with its flow's FlowContext (facts
 * learned by the real enrichment `learn`), findings through a real FindingStore — but with
 * attributions the test supplies, so detector tests do not depend on the attributor.
 */
import type { FlowAttribution } from '../../src/attribution/types.js';
import type { Detector, Finding } from '../../src/detect/types.js';
import type { ChainAssessor } from '../../src/enrich/enricher.js';
import { learn } from '../../src/enrich/enricher.js';
import { FlowContext } from '../../src/enrich/flow-context.js';
import { FindingStore, type FindingScope } from '../../src/findings/store.js';
import type { Flow } from '../../src/flow/types.js';
import type { GotapEvent } from '../../src/protocols/events.js';

const noChains: ChainAssessor = () => {
  throw new Error('this harness was made without a chain assessor');
};

export interface DetectorRun {
  event(ev: GotapEvent, attribution: FlowAttribution): void;
  flowEnded(flow: Flow, attribution: FlowAttribution): void;
  /** Ends the run: detectors' finish, the store's finish; the latest version of every finding. */
  finish(): Finding[];
  /** Every version the store published, in order (updates appear after `flush`). */
  published: Finding[];
  /** Publishes coalesced updates now, as a model snapshot would. */
  flush(): void;
  store: FindingStore;
}

export function detectorRun(make: (scope: FindingScope) => Detector | readonly (Detector | undefined)[] | undefined, assess: ChainAssessor = noChains): DetectorRun {
  const published: Finding[] = [];
  const store = new FindingStore((f) => published.push(f));
  const made = make(store.scope('test'));
  const detectors = (Array.isArray(made) ? made : [made]).filter((d): d is Detector => d !== undefined);
  const attributions = new Map<number, FlowAttribution>();
  const contexts = new Map<number, FlowContext>();
  const contextOf = (flowId: number): FlowContext => {
    let ctx = contexts.get(flowId);
    if (!ctx) {
      ctx = new FlowContext(flowId, (id) => attributions.get(id) as FlowAttribution);
      contexts.set(flowId, ctx);
    }
    return ctx;
  };
  return {
    published,
    store,
    flush: () => store.flush(),
    event(ev, attribution) {
      attributions.set(ev.flowId, attribution);
      const ctx = contextOf(ev.flowId);
      learn(ctx, ev, assess);
      for (const d of detectors) d.event?.(ev, ctx);
    },
    flowEnded(flow, attribution) {
      attributions.set(flow.id, attribution);
      const ctx = contextOf(flow.id);
      for (const d of detectors) d.flowEnded?.(flow, ctx);
      contexts.delete(flow.id);
    },
    finish() {
      for (const d of detectors) d.finish?.();
      store.finish();
      return store.findings();
    },
  };
}
