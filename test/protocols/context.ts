/** An AnalyzerContext for analyzer unit tests: anomalies counted, children recorded, an empty secrets store. */
import type { Flow } from '../../src/flow/types.js';
import type { AnalyzerContext, StreamAnalyzer } from '../../src/protocols/analyzer.js';
import type { EventSink } from '../../src/protocols/events.js';
import { SecretsStore } from '../../src/secrets/store.js';
import { Counter } from '../../src/util/counter.js';

export interface TestContext extends AnalyzerContext {
  problems: Counter;
}

export function testContext(flow: Flow, emit: EventSink, openChild?: (label: string) => StreamAnalyzer): TestContext {
  const problems = new Counter();
  return {
    flow,
    emit,
    problems,
    anomaly: (kind) => problems.add(kind),
    openChild:
      openChild ??
      (() => {
        throw new Error('this test does not expect a child analyzer');
      }),
    secrets: new SecretsStore(),
  };
}
