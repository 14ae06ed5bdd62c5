// Preloaded into a gotap run (node --import ./bench/alloc-probe.mjs …) by
// bench/profile.mjs: V8's sampling heap profiler over the whole run, with the
// objects later collected by minor and major GCs included, so the total is
// what the run allocated (not what survived). Written at exit to
// GOTAP_ALLOC_PROFILE as { totalBytes, byFunction }.
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import process from 'node:process';

const session = new Session();
session.connect();
session.post('HeapProfiler.startSampling', { samplingInterval: 32_768, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });

process.on('exit', () => {
  session.post('HeapProfiler.stopSampling', (err, result) => {
    if (err) return;
    const byFunction = {};
    let totalBytes = 0;
    const walk = (node) => {
      const { functionName, url, lineNumber } = node.callFrame;
      if (node.selfSize > 0) {
        const key = `${functionName || '(anonymous)'}\t${url}\t${lineNumber + 1}`;
        byFunction[key] = (byFunction[key] ?? 0) + node.selfSize;
        totalBytes += node.selfSize;
      }
      for (const c of node.children) walk(c);
    };
    walk(result.profile.head);
    writeFileSync(process.env.GOTAP_ALLOC_PROFILE, JSON.stringify({ totalBytes, byFunction }));
  });
});
